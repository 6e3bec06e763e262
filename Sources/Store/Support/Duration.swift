import Domain
import FluentKit
import Foundation
import SQLKit

extension Duration {
    /// Seconds as a Double, for reports.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
