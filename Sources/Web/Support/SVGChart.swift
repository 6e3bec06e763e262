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

    /// Escapes text for an HTML or SVG attribute or text node (also used for form values, see `Layout.attr`).
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

extension SVGChart {
    struct Series: Sendable {
        var name: String
        var colour: String
        var dashed: Bool
        var points: [(x: Double, y: Double)]
    }

    /// A line chart with axes labelled in yuan; each series a polyline, with a legend.
    static func lines(title: String, xLabel: String, yLabel: String, series: [Series], marks: [(x: Double, label: String)] = []) -> String {
        let width = 640.0, height = 340.0, left = 64.0, right = 16.0, top = 36.0, bottom = 48.0
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let maxX = max(xs.max() ?? 1, 1), maxY = max(ys.max() ?? 1, 1) * 1.05
        func px(_ x: Double) -> Double { left + (width - left - right) * x / maxX }
        func py(_ y: Double) -> Double { height - bottom - (height - top - bottom) * y / maxY }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        s += "<title>\(escape(title))</title>"
        s += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(height - bottom))\" x2=\"\(fmt(width - right))\" y2=\"\(fmt(height - bottom))\" stroke=\"#888\"/>"
        s += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(top))\" x2=\"\(fmt(left))\" y2=\"\(fmt(height - bottom))\" stroke=\"#888\"/>"
        for i in 0...4 {
            let y = maxY * Double(i) / 4, x = maxX * Double(i) / 4
            s += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(py(y) + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">\(Int(y))</text>"
            s += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(py(y)))\" x2=\"\(fmt(width - right))\" y2=\"\(fmt(py(y)))\" stroke=\"#eee\"/>"
            s += "<text x=\"\(fmt(px(x)))\" y=\"\(fmt(height - bottom + 16))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">\(Int(x))</text>"
        }
        s += "<text x=\"\(fmt((left + width - right) / 2))\" y=\"\(fmt(height - 10))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">\(escape(xLabel))</text>"
        s += "<text x=\"\(fmt(left))\" y=\"\(fmt(top - 14))\" font-size=\"12\" fill=\"#333\">\(escape(yLabel))</text>"
        for m in marks {
            s += "<line x1=\"\(fmt(px(m.x)))\" y1=\"\(fmt(top))\" x2=\"\(fmt(px(m.x)))\" y2=\"\(fmt(height - bottom))\" stroke=\"#c0392b\" stroke-dasharray=\"3 3\"/>"
            s += "<text x=\"\(fmt(px(m.x) + 4))\" y=\"\(fmt(top + 10))\" font-size=\"11\" fill=\"#c0392b\">\(escape(m.label))</text>"
        }
        for (i, line) in series.enumerated() {
            let pts = line.points.map { "\(fmt(px($0.x))),\(fmt(py($0.y)))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(line.colour)\" stroke-width=\"2.5\"\(line.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(pts)\"><title>\(escape(line.name))</title></polyline>"
            let lx = left + 90 + Double(i) * 170
            s += "<line x1=\"\(fmt(lx))\" y1=\"\(fmt(top - 26))\" x2=\"\(fmt(lx + 22))\" y2=\"\(fmt(top - 26))\" stroke=\"\(line.colour)\" stroke-width=\"2.5\"\(line.dashed ? " stroke-dasharray=\"6 4\"" : "")/>"
            s += "<text x=\"\(fmt(lx + 27))\" y=\"\(fmt(top - 22))\" font-size=\"12\" fill=\"#333\">\(escape(line.name))</text>"
        }
        return s + "</svg>"
    }
}
