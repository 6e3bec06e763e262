import Domain
import Vapor

/// A form submission that failed for a reason of the system's, not the person's (the database busy or gone):
/// the page comes back with what was typed still in the form and this message, instead of an error page that
/// throws the work away.
enum FormFailure {
    static let message = "保存未成功（系统繁忙或暂时不可用），您填写的内容已保留，请稍后再提交一次。"

    /// Not an answer the route meant to give (not found, forbidden, a bad request).
    static func isTransient(_ error: any Error) -> Bool {
        !(error is any AbortError) && !(error is DomainError)
    }
}
