import Foundation

/// A store's "no such thing in your jurisdiction": every store error with a `notFound` case says so here, so the
/// web layer answers 404 for all of them in one place, and a route that forgets to catch one is never a 500.
public protocol NotFoundError: Error {
    var isNotFound: Bool { get }
}

extension PayrollStoreError: NotFoundError { public var isNotFound: Bool { self == .notFound } }
extension PaymentVerificationError: NotFoundError { public var isNotFound: Bool { self == .notFound } }
extension BankAccountError: NotFoundError { public var isNotFound: Bool { self == .notFound } }
extension ReviewStoreError: NotFoundError { public var isNotFound: Bool { self == .notFound } }
extension ChangeStoreError: NotFoundError { public var isNotFound: Bool { self == .notFound } }
extension CaseStoreError: NotFoundError { public var isNotFound: Bool { self == .notFound } }
extension DeliberationStoreError: NotFoundError { public var isNotFound: Bool { self == .notFound } }
extension SpotCheckStoreError: NotFoundError { public var isNotFound: Bool { self == .notFound } }
