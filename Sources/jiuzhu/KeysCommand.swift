import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `jiuzhu keys`: the data key's care. `index-key` prints the blind index's key of the configured data key, to be kept
/// as `JIUZHU_INDEX_KEY`; `rotate` then re-seals everything under a new `JIUZHU_DATA_KEY`, reading the old key from a
/// file (never from the command line, which other users of the machine can see).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "The data key: its blind-index key, and changing it.",
                                                    subcommands: [IndexKey.self, Rotate.self])

    struct IndexKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "index-key",
            abstract: "Print the blind-index key of the configured data key (keep it as JIUZHU_INDEX_KEY before changing the data key).")
        func run() async throws {
            let config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
            guard config.dataKey != nil else { throw DataError("未配置 JIUZHU_DATA_KEY：开发密钥不需要也不应更换 (no data key configured)") }
            print(try config.dataCipher().indexKeyBase64)
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "With the servers stopped, re-seal every sealed value under JIUZHU_DATA_KEY (the new key), from the old key in a file; JIUZHU_INDEX_KEY keeps the indexes.")
        @Option(help: "A file holding the old data key (base64), readable only by you.") var oldKeyFile: String
        @Option(name: .customLong("as"), help: "The system administrator doing it (a username).") var username: String

        func run() async throws {
            let config = try AppConfig.command()
            guard config.dataKey != nil else { throw DataError("请将新密钥配置为 JIUZHU_DATA_KEY (set the new key as JIUZHU_DATA_KEY)") }
            guard let text = try? String(contentsOfFile: oldKeyFile, encoding: .utf8) else { throw DataError("无法读取 \(oldKeyFile)") }
            let old: DataCipher
            do { old = try DataCipher(base64Key: text, indexKey: config.indexKey) } catch { throw DataError("\(oldKeyFile)：不是32字节密钥的 base64 编码") }
            let new = try config.dataCipher()
            let count = try await withServer(config, checkingKey: false) { app in
                let actor = try await namedUser(username, may: .rotateDataKey, in: app)
                do {
                    return try await DataKeyRotation.rotate(app.db, from: old, to: new, actor: actor) { column, n in say("  \(column)：累计 \(n) 个") }
                } catch let e as DataKeyRotation.Failure {
                    throw DataError(e.description)
                } catch let e as DataKeyCheck.Failure {
                    throw DataError("原密钥：" + e.description)
                }
            }
            say("已用新密钥重新加密 \(count) 个加密值；盲索引不变。请保留 JIUZHU_INDEX_KEY，并销毁原密钥的副本（旧备份仍须原密钥才能读取）。")
        }
    }
}
