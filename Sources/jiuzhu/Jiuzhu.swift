import Domain
@main enum Main { static func main() {} }
