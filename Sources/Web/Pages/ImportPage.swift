import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// 数据导入: a department data officer uploads a file for one feed, and sees what became of every row.
/// Large files go through `jiuzhu import`, which streams; the page accepts up to `maxUpload`.
enum ImportPage {
    static let maxUpload: ByteCount = "64mb"
    static let maxUploadText = "64 MB"

    struct Upload: Content {
        var feed: String
        var acceptPartial: String?
        var file: File
    }

    /// The upload form, this user's imports still running or just done, and the import history. `notice`: why an upload was not started.
    static let historyPageSize = 30

    static func view(chrome: Layout.Chrome, specs: [FeedSpec], history: [FeedImportRecord], total: Int, paging: Paging,
                     jobs: [ImportJobs.Job], notice: String?) -> HTML {
        Layout.page("数据导入", chrome,
            .h1(.text("部门数据导入")),
            .p(.class("muted"), .text("整份文件先全部校验，有任何错误则不导入并列出每一处（文件、行、列、原因）；勾选“部分导入”则导入正确的行，错误行另存为拒绝清单。同一文件重复导入不会重复入库。上传后导入在后台进行，可离开页面。")),
            .unwrap(notice) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .if(!jobs.isEmpty, .div(.class("panel"), .h2(.text("我最近的上传")), .ul(.group(jobs.prefix(jobsShown).map { j in
                .li(.a(.href(SiteURL.importJob(j.id).path), .text(j.file)), .text("：" + status(j)))
            })))),
            .form(.class("panel upload"), .action(SiteURL.imports.path), .method(.post), .attribute(named: "enctype", value: "multipart/form-data"),
                  Layout.csrfField(chrome),
                  .label(.text("数据接口"), .select(.attribute(named: "name", value: "feed"), .group(specs.map { s in
                      Layout.option(s.name, "\(s.department.chinese)｜\(s.title)", selected: false)
                  }))),
                  .label(.text("文件（必选，不超过 \(maxUploadText)；CSV〔UTF-8、GB18030 或 Excel 的“Unicode 文本”〕、Excel .xlsx 或 JSON 行。更大的文件请用命令行 jiuzhu import）"),
                         .input(.type(.file), .name("file"), .required(true))),
                  .label(.class("check"), .input(.type(.checkbox), .name("acceptPartial")), .text("部分导入（错误行另存为拒绝清单）")),
                  .button(.type(.submit), .text("上传并导入"))),
            .h2(.text("各数据接口的文件格式")),
            .p(.class("muted"), .text("每个接口一份模板：第一行为列名，按下列要求逐行填写。标“必填”的列每行都要有值；列的先后顺序不限，多出的列会被忽略。")),
            .div(.class("panel"), .group(specs.map { s in
                .details(.summary(.text("\(s.department.chinese)｜\(s.title)")),
                    .p(.a(.href(SiteURL.importTemplate(feed: s.name).path), .text("下载模板（CSV，可用 Excel 打开）"))),
                    .table(.class("stack"),
                        .thead(.tr(.th(.text("列名")), .th(.text("填写要求")), .th(.text("必填")))),
                        .tbody(.group(s.columns.map { c in
                            .tr(.td(.attribute(named: "data-label", value: "列名"), .text(c.header)),
                                .td(.attribute(named: "data-label", value: "填写要求"), .text(c.type.chinese)),
                                .td(.attribute(named: "data-label", value: "必填"), .text(c.isRequired ? "必填" : "可空")))
                        }),
                        // The column that says what each row is (a death or a move; which pension), with its values.
                        .unwrap(s.kindColumn, { k in
                            .tr(.td(.attribute(named: "data-label", value: "列名"), .text(k)),
                                .td(.attribute(named: "data-label", value: "填写要求"), .text("以下之一：" + (s.kindValues ?? [:]).keys.sorted().joined(separator: "、"))),
                                .td(.attribute(named: "data-label", value: "必填"), .text(s.factKind == nil ? "必填" : "可空（空则为\(s.factKind?.chinese ?? "")）")))
                        }))))
            })),
            .h2(.text("导入记录")),
            paging.bar(total: total, unit: "次", link: { Paging.url(SiteURL.imports.path, [], page: $0) }),
            .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("接收日期")), .th(.text("接口")), .th(.text("文件")), .th(.class("num"), .text("读取")), .th(.class("num"), .text("关联")),
                           .th(.class("num"), .text("新增")), .th(.class("num"), .text("变更")), .th(.class("num"), .text("拒绝")), .th(.class("num"), .text("待核对")),
                           .th(.text("操作人")))),
                .tbody(.group(history.map { h in
                    .tr(.td(.text(Show.time(h.receivedAt))), .td(.text(specs.first { $0.name == h.feed }?.title ?? h.feed)), .td(.text(h.fileName)),
                        .td(.class("num"), .text("\(h.rowsRead)")), .td(.class("num"), .text("\(h.linked)")), .td(.class("num"), .text("\(h.newFacts)")),
                        .td(.class("num"), .text("\(h.changed)")), .td(.class("num"), .text("\(h.rejected)")), .td(.class("num"), h.review > 0 ? .a(.href(SiteURL.linkReviews(importID: h.id).path), .text("\(h.review)")) : .text("0")),
                        .td(.text(chrome.person(h.username))))
                })))))
    }

    static let jobsShown = 5
    /// Seconds between reloads of a running job's page.
    static let reloadSeconds = 2

    static func status(_ job: ImportJobs.Job) -> String {
        switch job.state {
        case .running(let rows): return "导入中，已处理 \(rows) 行"
        case .screening: return "已入库，正在筛查受影响的家庭"
        case .finished(let r): return r.alreadyImported ? "此前已导入，未做改动" : "完成，读取 \(r.rowsRead) 行"
        case .failed: return "未导入"
        }
    }

    /// One upload: how far it has got while it runs (the response asks the browser to reload), then what became of every row.
    static func job(chrome: Layout.Chrome, job: ImportJobs.Job, now: Date) -> HTML {
        Layout.page("数据导入：\(job.file)", chrome,
            .h1(.text("数据导入：\(job.file)")),
            .p(.a(.href(SiteURL.imports.path), .text("← 返回数据导入"))),
            {
                switch job.state {
                case .running(let rows):
                    return .div(.class("panel"), .attribute(named: "aria-live", value: "polite"),
                                .h2(.text("正在导入")),
                                .element(named: "progress", nodes: [.attribute(named: "aria-label", value: "导入进度")]),
                                .p(.text("已处理 \(rows) 行，用时 \(Int(now.timeIntervalSince(job.started))) 秒。本页每 \(reloadSeconds) 秒自动刷新；可以离开本页，导入不会中断。")))
                case .screening(let rows):
                    return .div(.class("panel"), .attribute(named: "aria-live", value: "polite"),
                                .h2(.text("文件已导入，正在筛查")),
                                .element(named: "progress", nodes: [.attribute(named: "aria-label", value: "筛查进度")]),
                                .p(.text("\(rows) 行已处理并入库。正在重新筛查数据有变化的家庭，完成后本页显示导入报告（每 \(reloadSeconds) 秒自动刷新）。")))
                case .failed(let message):
                    return .group(
                        .div(.class("error"), .attribute(named: "role", value: "alert"),
                             .p(.strong(.text("文件未导入。")), .text("档案库中原有的数据没有任何改动。")),
                             .element(named: "pre", text: message)),
                        .div(.class("panel"), .h2(.text("怎么办")), .ul(
                            .li(.text("按上面列出的行号和列名改正文件后重新上传（行号从表头算起，第1行是表头，与 Excel 的行号一致）。")),
                            .li(.text("只想先导入没有问题的行：上传时勾选“部分导入”，有问题的行会另存为拒绝清单，改正后再单独上传。")),
                            .li(.text("提示缺少列时，"), .a(.href(SiteURL.importTemplate(feed: job.feed).path), .text("下载本接口的模板")),
                                .text("，核对第一行的列名是否一字不差。")),
                            .li(.text("从 Excel 导出时，可直接上传 .xlsx，或另存为“CSV UTF-8”或“Unicode 文本”；其他编码（如 GB18030 的 CSV）也能识别。")),
                            .li(.text("文件超过 \(maxUploadText) 时，请由数据专员在服务器上用命令行导入：jiuzhu import --feed \(job.feed) 文件名")))))
                case .finished(let r):
                    return .group(report(r), .if(r.rejected > 0, .p(.a(.href(SiteURL.importRejects(job.id).path), .text("下载拒绝清单（CSV：行号、列、原因）")))))
                }
            }())
    }

    static func report(_ r: FeedImporter.Report) -> Node<HTML.BodyContext> {
        .div(.class("panel report"),
             .h2(.text(r.alreadyImported ? "该文件此前已导入，未做任何改动" : "导入完成：\(r.file)")),
             .if(!r.alreadyImported, .div(.class("cards"),
                 HomePage.card("\(r.rowsRead)", "读取行数"), HomePage.card("\(r.linked)", "已关联到人"),
                 HomePage.card("\(r.newFacts)", "新增"), HomePage.card("\(r.changed)", "变更"),
                 HomePage.card("\(r.rejected)", "拒绝"), HomePage.card("\(r.unmatched)", "身份证号未能精确匹配"),
                 HomePage.card("\(r.probablyLinked)", "概率匹配自动关联"), HomePage.card("\(r.review)", "送人工核对"),
                 HomePage.card("\(r.newPersons)", "库中无此人"))),
             .if(r.review > 0, .p(.a(.href(SiteURL.linkReviews(importID: r.importID).path), .text("去核对本次导入的 \(r.review) 条待核对记录 →")))),
             // What the import set off: counts only (a data officer does not read warnings).
             .unwrap(r.screening) { s in .p(.class("muted"), .text("随后重新筛查数据有变化的 \(s.households) 户：新预警 \(s.raised)，更新 \(s.updated)，暂停发放 \(s.holds)。")) },
             .unwrap(r.screeningError) { _ in
                 .div(.class("error"), .attribute(named: "role", value: "alert"), .text("数据已入库，但随后的筛查未能完成（原因已记入日志）；下一次导入或定时筛查会补上。"))
             },
             .if(!r.idIssues.isEmpty, .details(.summary(.text("身份证号有问题的行（已转入概率匹配）")),
                                               .ul(.group(r.idIssues.map { .li(.text($0.chinese)) })))),
             .if(!r.issues.isEmpty, .ul(.group(r.issues.prefix(50).map { .li(.text($0.chinese)) }))))
    }
}
