import ArgumentParser
import Domain
import Foundation
import Web

/// `jiuzhu assess FILE`: a household in the interchange format (docs/assessment-format.md) → decisions and explanations.
struct Assess: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Assess a household described in the JSON interchange format (\"-\" reads standard input).")

    @Argument(help: "The household JSON file, or - for standard input.") var file: String
    @Option(help: "Assess as of this date (YYYY-MM-DD) instead of the file's date.") var date: String?
    @Option(help: "json or text.") var format: OutputFormat = .text
    @Flag(help: "Leave out the step-by-step explanation.") var noExplain = false
    @Option(help: "A policy parameter file to use instead of the shipped ones (repeat for several; default JIUZHU_POLICY_FILES).") var policy: [String] = []

    enum OutputFormat: String, ExpressibleByArgument { case json, text }

    func run() async throws {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: file) else { throw DataError("读不到文件 \(file) (cannot read \(file))") }
            data = d
        }
        do {
            var request = try AssessmentRequest.decode(data, file: file)
            if let date {
                do { request.date = try LocalDate(date) } catch { throw ValidationError("--date：\(error.chinese)") }
            }
            let calculator = PolicyCalculator(parameters: try AppConfig.command(policy: policy).parameters())
            let assessment = try calculator.assess(request, explain: !noExplain)
            switch format {
            case .json:
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try enc.encode(assessment), as: UTF8.self))
            case .text:
                print(AssessmentText.render(assessment, members: request.members, explain: !noExplain), terminator: "")
            }
        } catch let e as PolicyError {
            throw DataError("\(e.chinese)\n\(e.description)")
        }
    }
}
