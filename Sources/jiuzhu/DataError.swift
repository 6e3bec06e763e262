/// The command line was right, but the data it named or found was not (a file that cannot be read or has bad
/// rows, a database that needs migrating): the message alone. Argument Parser follows a `ValidationError` with the
/// command's usage, which is only help for a mistake in the command line itself, so that stays for those.
struct DataError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
