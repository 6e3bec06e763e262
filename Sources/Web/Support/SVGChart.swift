import Foundation

/// Charts drawn on the server as SVG: no JavaScript, readable on a phone, printable.
enum SVGChart {
    struct Bar: Sendable {
        var label: String
        var value: Double
        /// What is printed at the end of the bar (a count, an amount).
        var display: String
        var link: String? = nil
    }

    /// A horizontal bar chart with its caption (what it counts). Drawn twice: for a desk screen (labels on the
    /// left) and for a phone (each label above its bar, so text stays about 14 px wide of a 390-px screen);
    /// CSS shows the one that fits. A label too long for its room is shortened with "…" and kept whole in the
    /// bar's tooltip; nothing runs past the drawing.
    static func horizontalBars(title: String, caption: String, bars: [Bar], colour: String = "#2f6fb0") -> String {
        "<figure class=\"chart-figure\">" + deskBars(title: title, bars: bars, colour: colour) + phoneBars(title: title, bars: bars, colour: colour)
            + "<figcaption>\(escape(caption))</figcaption></figure>"
    }

    static let labelFont = 15.0, valueFont = 14.0

    static func deskBars(title: String, bars: [Bar], colour: String) -> String {
        let width = 640.0, rowHeight = 26.0, gap = 8.0, top = 8.0
        let valueWidth = min(200, (bars.map { textWidth($0.display, valueFont) }.max() ?? 0) + 12)
        let labelWidth = min(260, max(60, (bars.map { textWidth($0.label, labelFont) }.max() ?? 0) + 12))
        let height = top + Double(bars.count) * (rowHeight + gap) + 4
        let maxValue = max(bars.map(\.value).max() ?? 0, 1)
        let plot = width - labelWidth - valueWidth
        var s = open(width: width, height: height, title: title, variant: "desk")
        for (i, b) in bars.enumerated() {
            let y = top + Double(i) * (rowHeight + gap)
            let w = b.value <= 0 ? 0 : max(2, plot * b.value / maxValue)
            let textY = fmt(y + rowHeight * 0.68)
            var row = "<text x=\"\(fmt(labelWidth - 8))\" y=\"\(textY)\" text-anchor=\"end\" font-size=\"\(fmt(labelFont))\" fill=\"#333\">\(escape(fit(b.label, labelWidth - 12, labelFont)))</text>"
            row += "<rect x=\"\(fmt(labelWidth))\" y=\"\(fmt(y))\" width=\"\(fmt(w))\" height=\"\(fmt(rowHeight))\" rx=\"3\" fill=\"\(colour)\">"
            row += "<title>\(escape(b.label))：\(escape(b.display))</title></rect>"
            row += "<text x=\"\(fmt(labelWidth + w + 6))\" y=\"\(textY)\" font-size=\"\(fmt(valueFont))\" fill=\"#222\">\(escape(fit(b.display, valueWidth - 8, valueFont)))</text>"
            s += b.link.map { "<a href=\"\(escape($0))\">\(row)</a>" } ?? row
        }
        return s + "</svg>"
    }

    static func phoneBars(title: String, bars: [Bar], colour: String) -> String {
        let width = 360.0, labelHeight = 20.0, barHeight = 16.0, gap = 10.0, top = 4.0
        let valueWidth = min(150, (bars.map { textWidth($0.display, valueFont) }.max() ?? 0) + 10)
        let per = labelHeight + barHeight + gap
        let height = top + Double(bars.count) * per
        let maxValue = max(bars.map(\.value).max() ?? 0, 1)
        let plot = width - valueWidth
        var s = open(width: width, height: height, title: title, variant: "phone")
        for (i, b) in bars.enumerated() {
            let y = top + Double(i) * per
            let w = b.value <= 0 ? 0 : max(2, plot * b.value / maxValue)
            var row = "<text x=\"0\" y=\"\(fmt(y + 15))\" font-size=\"\(fmt(labelFont))\" fill=\"#333\">\(escape(fit(b.label, width, labelFont)))</text>"
            row += "<rect x=\"0\" y=\"\(fmt(y + labelHeight))\" width=\"\(fmt(w))\" height=\"\(fmt(barHeight))\" rx=\"3\" fill=\"\(colour)\">"
            row += "<title>\(escape(b.label))：\(escape(b.display))</title></rect>"
            row += "<text x=\"\(fmt(w + 6))\" y=\"\(fmt(y + labelHeight + 13))\" font-size=\"\(fmt(valueFont))\" fill=\"#222\">\(escape(fit(b.display, valueWidth - 6, valueFont)))</text>"
            s += b.link.map { "<a href=\"\(escape($0))\">\(row)</a>" } ?? row
        }
        return s + "</svg>"
    }

    static func open(width: Double, height: Double, title: String, variant: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart \(variant)\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
    }

    /// The drawn width of text: a Chinese character is one em, Latin letters and digits about six tenths.
    static func textWidth(_ s: String, _ fontSize: Double) -> Double {
        s.unicodeScalars.reduce(0) { $0 + ($1.value < 0x2E80 ? 0.62 : 1.0) } * fontSize
    }

    /// The text, shortened with "…" to fit `room`.
    static func fit(_ s: String, _ room: Double, _ fontSize: Double) -> String {
        guard textWidth(s, fontSize) > room else { return s }
        var out = ""
        for c in s {
            if textWidth(out + String(c) + "…", fontSize) > room { break }
            out.append(c)
        }
        return out + "…"
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

    /// A line chart with axes labelled in yuan, a legend and its caption; drawn for a desk screen and for a
    /// phone (fewer, larger labels and the legend stacked), like the bars.
    static func lines(title: String, caption: String, xLabel: String, yLabel: String, series: [Series], marks: [(x: Double, label: String)] = []) -> String {
        "<figure class=\"chart-figure\">"
            + lineChart(title: title, xLabel: xLabel, yLabel: yLabel, series: series, marks: marks, width: 640, font: 12, variant: "desk")
            + lineChart(title: title, xLabel: xLabel, yLabel: yLabel, series: series, marks: marks, width: 360, font: 13, variant: "phone")
            + "<figcaption>\(escape(caption))</figcaption></figure>"
    }

    static func lineChart(title: String, xLabel: String, yLabel: String, series: [Series], marks: [(x: Double, label: String)],
                          width: Double, font: Double, variant: String) -> String {
        let legendRows = variant == "phone" ? Double(series.count) : 1
        // Legend rows, then a row for the y axis's label, then the plot: no text sits on another.
        let left = font * 4.6, right = 16.0, top = 8 + legendRows * (font + 8) + font + 18, bottom = font * 3.6
        let height = top + (variant == "phone" ? 220 : 260) + bottom
        let xs = series.flatMap { $0.points.map(\.x) } + marks.map(\.x), ys = series.flatMap { $0.points.map(\.y) }
        let maxX = max(xs.max() ?? 1, 1), maxY = max(ys.max() ?? 1, 1) * 1.05
        func px(_ x: Double) -> Double { left + (width - left - right) * x / maxX }
        func py(_ y: Double) -> Double { height - bottom - (height - top - bottom) * y / maxY }
        let ticks = variant == "phone" ? 2 : 4
        var s = open(width: width, height: height, title: title, variant: variant)
        s += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(height - bottom))\" x2=\"\(fmt(width - right))\" y2=\"\(fmt(height - bottom))\" stroke=\"#888\"/>"
        s += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(top))\" x2=\"\(fmt(left))\" y2=\"\(fmt(height - bottom))\" stroke=\"#888\"/>"
        for i in 0...ticks {
            let y = maxY * Double(i) / Double(ticks), x = maxX * Double(i) / Double(ticks)
            s += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(py(y) + 4))\" text-anchor=\"end\" font-size=\"\(fmt(font))\" fill=\"#555\">\(Int(y))</text>"
            s += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(py(y)))\" x2=\"\(fmt(width - right))\" y2=\"\(fmt(py(y)))\" stroke=\"#eee\"/>"
            let anchor = i == ticks ? "end" : i == 0 ? "start" : "middle"
            s += "<text x=\"\(fmt(px(x)))\" y=\"\(fmt(height - bottom + font + 4))\" text-anchor=\"\(anchor)\" font-size=\"\(fmt(font))\" fill=\"#555\">\(Int(x))</text>"
        }
        s += "<text x=\"\(fmt((left + width - right) / 2))\" y=\"\(fmt(height - 6))\" text-anchor=\"middle\" font-size=\"\(fmt(font))\" fill=\"#333\">\(escape(fit(xLabel, width, font)))</text>"
        s += "<text x=\"4\" y=\"\(fmt(top - 14))\" font-size=\"\(fmt(font))\" fill=\"#333\">\(escape(yLabel))</text>"
        for m in marks {
            let x = px(m.x)
            // A label near the right edge is written to the left of its line, so it is never cut off.
            let toLeft = x + 6 + textWidth(m.label, font) > width - right
            s += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(top))\" x2=\"\(fmt(x))\" y2=\"\(fmt(height - bottom))\" stroke=\"#c0392b\" stroke-dasharray=\"3 3\"/>"
            s += "<text x=\"\(fmt(toLeft ? x - 4 : x + 4))\" y=\"\(fmt(top + font))\" text-anchor=\"\(toLeft ? "end" : "start")\" font-size=\"\(fmt(font))\" fill=\"#c0392b\">\(escape(m.label))</text>"
        }
        for (i, line) in series.enumerated() {
            let pts = line.points.map { "\(fmt(px($0.x))),\(fmt(py($0.y)))" }.joined(separator: " ")
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            s += "<polyline fill=\"none\" stroke=\"\(line.colour)\" stroke-width=\"2.5\"\(dash) points=\"\(pts)\"><title>\(escape(line.name))</title></polyline>"
            let (lx, ly) = variant == "phone" ? (4.0, 8 + Double(i) * (font + 8)) : (4 + Double(i) * (width / Double(max(series.count, 1))), 8.0)
            s += "<line x1=\"\(fmt(lx))\" y1=\"\(fmt(ly + font / 2))\" x2=\"\(fmt(lx + 22))\" y2=\"\(fmt(ly + font / 2))\" stroke=\"\(line.colour)\" stroke-width=\"2.5\"\(dash)/>"
            s += "<text x=\"\(fmt(lx + 27))\" y=\"\(fmt(ly + font - 1))\" font-size=\"\(fmt(font))\" fill=\"#333\">\(escape(line.name))</text>"
        }
        return s + "</svg>"
    }
}
