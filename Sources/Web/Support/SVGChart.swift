import Foundation

/// Charts drawn on the server as SVG: no JavaScript, readable on a phone, printable.
enum SVGChart {
    struct Bar: Sendable {
        var label: String
        var value: Double
        /// What is printed at the end of the bar (a count, an amount).
        var display: String
        var link: String?
    }

    /// A horizontal bar chart: one row per item, labels on the left. Scales to its container width.
    static func horizontalBars(title: String, bars: [Bar], colour: String = "#2f6fb0") -> String {
        let width = 640.0, labelWidth = 150.0, valueWidth = 120.0, rowHeight = 26.0, gap = 8.0, top = 8.0
        let height = top + Double(bars.count) * (rowHeight + gap) + 4
        let maxValue = max(bars.map(\.value).max() ?? 0, 1)
        let plot = width - labelWidth - valueWidth
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        s += "<title>\(escape(title))</title>"
        for (i, b) in bars.enumerated() {
            let y = top + Double(i) * (rowHeight + gap)
            let w = b.value <= 0 ? 0 : max(2, plot * b.value / maxValue)
            let textY = fmt(y + rowHeight * 0.68)
            var row = "<text x=\"\(fmt(labelWidth - 8))\" y=\"\(textY)\" text-anchor=\"end\" font-size=\"15\" fill=\"#333\">\(escape(b.label))</text>"
            row += "<rect x=\"\(fmt(labelWidth))\" y=\"\(fmt(y))\" width=\"\(fmt(w))\" height=\"\(fmt(rowHeight))\" rx=\"3\" fill=\"\(colour)\">"
            row += "<title>\(escape(b.label))：\(escape(b.display))</title></rect>"
            row += "<text x=\"\(fmt(labelWidth + w + 6))\" y=\"\(textY)\" font-size=\"14\" fill=\"#222\">\(escape(b.display))</text>"
            if let link = b.link {
                s += "<a href=\"\(escape(link))\">\(row)</a>"
            } else {
                s += row
            }
        }
        return s + "</svg>"
    }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
