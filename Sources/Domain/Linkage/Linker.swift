import Foundation

/// One record of a person list: a key of its own (row number, person id) and one value per model field.
public struct LinkRecord: Sendable, Equatable {
    public var key: String
    public var values: [String?]
    public init(key: String, values: [String?]) {
        self.key = key
        self.values = values
    }
}

/// A compared pair: the left (register) record, the right (incoming) record and the evidence in bits.
public struct ScoredPair: Sendable, Equatable {
    public var left: Int
    public var right: Int
    public var weight: Double
    public var probability: Double
    /// Above the automatic threshold, but the two ID numbers are both valid and different
    /// (`Linkage.distinctValidIDs`): held for a person to decide instead of linked.
    public var heldForDistinctIDs = false
}

/// What linking decided: automatic links, pairs for a human, and right records that are new persons.
public struct LinkOutcome: Sendable {
    public var links: [ScoredPair] = []
    public var review: [ScoredPair] = []
    public var newPersons: [Int] = []
    /// Pairs that passed blocking and were compared.
    public var compared = 0
}

/// Why two records are (or are not) the same person, field by field.
public struct LinkEvidence: Codable, Sendable, Equatable {
    public struct Field: Codable, Sendable, Equatable {
        public var field: String
        public var level: String
        public var chinese: String
        public var bits: Double
        public var left: String?
        public var right: String?
    }
    public var priorBits: Double
    public var fields: [Field]
    public var weight: Double
    public var probability: Double
}

/// What EM found, for the log and the bench.
public struct EstimationReport: Sendable {
    public var randomPairs: Int
    public var candidatePairs: Int
    public var iterations: Int
    public var prior: Double
}

/// Fellegi–Sunter linkage of a right list (a department feed) against a left list (the register).
/// Pure: records in, decisions out. Blocking finds candidate pairs through sorted key arrays; each pair
/// gets a level per field; the model turns levels into bits; links are one-to-one, strongest first.
public struct Linker: Sendable {
    public private(set) var model: LinkageModel
    let left: [PreparedColumn]
    let right: [PreparedColumn]
    public let leftCount: Int
    static let minimumForFrequencies = 1_000
    public let rightCount: Int
    let leftKeys: [String]
    let rightKeys: [String]
    /// The ID numbers as given, when the model compares one: a pair scored for an automatic link is checked on
    /// them (`Linkage.distinctValidIDs`), which the prepared 17-digit bodies cannot tell.
    let idsAsGiven: (left: [String?], right: [String?])?
    let rules: [[(field: Int, key: BlockKey)]]
    /// Per blocking rule, the left records' key hashes sorted, with the record number alongside.
    let index: [(hashes: [UInt64], records: [Int32])]
    /// How often each value of a term-frequency field occurs in the register, and the register's size.
    let frequencies: [Int: [String: Int]]
    let frequencyBase: Int
    /// Per field, the index of the ID field that covers it.
    let coveredBy: [Int?]

    /// Term frequencies come from `termFrequencies` (field → value → count, over a register of `of`
    /// records) when the left list is only a part of the register, as when a feed is linked against the
    /// candidates fetched from the database; otherwise from the left list itself if it has at least
    /// `minimumForFrequencies` records — fewer say nothing about how common a name is.
    public init(model: LinkageModel, left: [LinkRecord], right: [LinkRecord], pinyin: Pinyin = .shared,
                termFrequencies: (counts: [String: [String: Int]], of: Int)? = nil) throws(LinkageError) {
        try model.validate()
        for r in left + right where r.values.count != model.fields.count {
            throw .badModel("记录 \(r.key) 有 \(r.values.count) 个字段，模型有 \(model.fields.count) 个")
        }
        self.model = model
        leftCount = left.count
        rightCount = right.count
        leftKeys = left.map(\.key)
        rightKeys = right.map(\.key)
        idsAsGiven = model.fields.firstIndex { $0.comparison == .nationalId }.map { f in (left.map { $0.values[f] }, right.map { $0.values[f] }) }
        let nf = model.fields.count
        let codes = model.fields.map { _ in ExactCodes() }
        let columns = Parallel.map(2 * nf) { k in
            let (records, f) = k < nf ? (left, k) : (right, k - nf)
            return PreparedColumn(model.fields[f].comparison, raw: records.map { $0.values[f] }, pinyin: pinyin, codes: codes[f])
        }
        self.left = Array(columns[..<nf])
        self.right = Array(columns[nf...])
        coveredBy = model.fields.map { f in f.coveredBy.flatMap(model.index(of:)) }
        rules = model.blocking.map { rule in rule.map { text in let k = BlockKey(text)!; return (model.index(of: k.field)!, k) } }
        var freq: [Int: [String: Int]] = [:]
        for (f, spec) in model.fields.enumerated() where spec.termFrequency == true {
            if let given = termFrequencies {
                freq[f] = given.counts[spec.name] ?? [:]
            } else if left.count >= Self.minimumForFrequencies {
                var counts: [String: Int] = [:]
                for case let v? in self.left[f].value { counts[v, default: 0] += 1 }
                freq[f] = counts
            }
        }
        frequencies = freq
        frequencyBase = termFrequencies?.of ?? left.count
        let leftColumns = self.left, ruleList = rules
        index = Parallel.map(rules.count) { Self.makeIndex(ruleList[$0], leftColumns) }
    }

    static func makeIndex(_ rule: [(field: Int, key: BlockKey)], _ columns: [PreparedColumn]) -> (hashes: [UInt64], records: [Int32]) {
        let count = columns.first?.value.count ?? 0
        var entries: [(UInt64, Int32)] = []
        entries.reserveCapacity(count)
        for i in 0..<count {
            if let h = blockHash(rule, columns, i) { entries.append((h, Int32(i))) }
        }
        entries.sort { $0.0 < $1.0 }
        return (entries.map(\.0), entries.map(\.1))
    }

    public func leftKey(_ i: Int) -> String { leftKeys[i] }
    public func rightKey(_ j: Int) -> String { rightKeys[j] }

    /// FNV-1a over the parts of a key; a collision only adds a candidate, which scoring then judges.
    static func blockHash(_ rule: [(field: Int, key: BlockKey)], _ columns: [PreparedColumn], _ i: Int) -> UInt64? {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for (f, key) in rule {
            guard let v = columns[f].value[i], let part = key.apply(v) else { return nil }
            for b in part.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            h = (h ^ 0x1F) &* 0x100_0000_01b3
        }
        return h
    }

    /// Calls `body` once for every left record that shares a blocking key with right record `j`.
    func forEachCandidate(of j: Int, mark: inout [Int32], _ body: (Int) -> Void) {
        Self.forEachCandidate(of: j, right, rules, index, mark: &mark, body)
    }

    static func forEachCandidate(of j: Int, _ right: [PreparedColumn], _ rules: [[(field: Int, key: BlockKey)]],
                                 _ index: [(hashes: [UInt64], records: [Int32])], mark: inout [Int32], _ body: (Int) -> Void) {
        for (r, rule) in rules.enumerated() {
            guard let h = blockHash(rule, right, j) else { continue }
            let hashes = index[r].hashes
            var lo = 0, hi = hashes.count
            while lo < hi { let mid = (lo + hi) / 2; if hashes[mid] < h { lo = mid + 1 } else { hi = mid } }
            var k = lo
            while k < hashes.count && hashes[k] == h {
                let i = Int(index[r].records[k])
                if mark[i] != Int32(j) { mark[i] = Int32(j); body(i) }
                k += 1
            }
        }
    }

    /// The level of every field for one pair; fields an agreeing ID already covers get `levelCovered`.
    func levels(_ i: Int, _ j: Int, into out: inout [UInt8]) {
        // Through buffer pointers: subscripting the arrays of columns copied a column (a dozen array references
        // retained and released) for every field of every pair.
        left.withUnsafeBufferPointer { l in
            right.withUnsafeBufferPointer { r in
                for f in l.indices { out[f] = l[f].level(i, r[f], j) }
            }
        }
        for f in left.indices {
            if let c = coveredBy[f], out[c] <= 2 { out[f] = levelCovered }
        }
    }

    // MARK: Scoring

    struct Weights {
        var prior: Double
        var bits: [[Double]]
        var exactM: [Double]
    }

    func weights() throws(LinkageError) -> Weights {
        guard model.isTrained, let prior = model.prior else { throw .untrained }
        let bits = model.fields.map { f in f.comparison.levels.map { f.weights![$0]!.bits } }
        let exactM = model.fields.map { f in f.weights![f.comparison.levels[0]]!.m }
        return Weights(prior: log2(prior / (1 - prior)), bits: bits, exactM: exactM)
    }

    func fieldBits(_ f: Int, _ level: UInt8, _ i: Int, _ w: Weights) -> Double {
        guard level < levelCovered else { return 0 }
        if level == 0, let counts = frequencies[f], let v = left[f].value[i], let n = counts[v] {
            // Term frequency: agreeing on a value shared by n of the register's records is worth log₂(m / (n / N)).
            return log2(w.exactM[f] / (Double(n) / Double(max(1, frequencyBase))))
        }
        return w.bits[f][Int(level)]
    }

    func score(_ i: Int, _ j: Int, _ w: Weights, _ buffer: inout [UInt8]) -> Double {
        levels(i, j, into: &buffer)
        var total = w.prior
        for f in buffer.indices { total += fieldBits(f, buffer[f], i, w) }
        return total
    }

    static func probability(_ weight: Double) -> Double { 1 / (1 + exp2(-weight)) }

    /// Links every right record: candidates by blocking, scored, then one-to-one from the strongest pair
    /// down; a pair at or above `autoLinkAt` is a link, one at or above `reviewAt` waits for a human.
    public func link() throws(LinkageError) -> LinkOutcome {
        let w = try weights()
        var outcome = LinkOutcome()
        var pairs: [ScoredPair] = []
        var mark = [Int32](repeating: -1, count: leftCount)
        var buffer = [UInt8](repeating: 0, count: model.fields.count)
        for j in 0..<rightCount {
            forEachCandidate(of: j, mark: &mark) { i in
                outcome.compared += 1
                let weight = score(i, j, w, &buffer)
                let p = Self.probability(weight)
                if p >= model.reviewAt { pairs.append(ScoredPair(left: i, right: j, weight: weight, probability: p)) }
            }
        }
        pairs.sort { $0.weight != $1.weight ? $0.weight > $1.weight : ($0.right, $0.left) < ($1.right, $1.left) }
        var leftUsed = [Bool](repeating: false, count: leftCount)
        var rightUsed = [Bool](repeating: false, count: rightCount)
        for var p in pairs where !leftUsed[p.left] && !rightUsed[p.right] {
            leftUsed[p.left] = true
            rightUsed[p.right] = true
            if p.probability >= model.autoLinkAt, let ids = idsAsGiven, Linkage.distinctValidIDs(ids.left[p.left], ids.right[p.right]) {
                p.heldForDistinctIDs = true
            }
            if p.probability >= model.autoLinkAt && !p.heldForDistinctIDs { outcome.links.append(p) } else { outcome.review.append(p) }
        }
        outcome.newPersons = (0..<rightCount).filter { !rightUsed[$0] }
        return outcome
    }

    /// The evidence for one pair, field by field, in words a reviewer can check.
    public func explain(left i: Int, right j: Int) throws(LinkageError) -> LinkEvidence {
        let w = try weights()
        var buffer = [UInt8](repeating: 0, count: model.fields.count)
        let total = score(i, j, w, &buffer)
        let fields = model.fields.enumerated().map { f, spec in
            let level = buffer[f]
            let name = level == levelMissing ? "missing" : level == levelCovered ? "covered" : spec.comparison.levels[Int(level)]
            return LinkEvidence.Field(field: spec.name, level: name, chinese: spec.comparison.chinese(name),
                                      bits: fieldBits(f, level, i, w), left: left[f].value[i], right: right[f].value[j])
        }
        return LinkEvidence(priorBits: w.prior, fields: fields, weight: total, probability: Self.probability(total))
    }

    // MARK: Estimation

    /// Estimates the model as Splink does. u: level frequencies among random pairs (almost all
    /// non-matches). m: EM with u held fixed, once per training rule over the pairs that rule brings
    /// together, leaving out the fields the rule itself makes agree (they would look like perfect
    /// evidence); each field's m is the mean of the rounds that estimated it. Prior: the pairs agreeing
    /// on the most telling field (the ID) over its m — the share of matches that agree on it — so no
    /// recall has to be assumed. Term frequencies stay out of EM and are applied when scoring.
    public mutating func estimate(training: [[String]]? = nil, randomPairs: Int = 1_000_000, extraRandomPairs: Int = 2_000_000,
                                  seed: UInt64 = 1, maxIterations: Int = 50) throws(LinkageError) -> EstimationReport {
        let nf = model.fields.count
        // The training rules, checked before any work starts.
        let trainingRules = try (training ?? model.training ?? model.blocking).map { text throws(LinkageError) -> [(field: Int, key: BlockKey)] in
            try text.map { t throws(LinkageError) -> (field: Int, key: BlockKey) in
                guard let k = BlockKey(t), let f = model.index(of: k.field) else { throw .badModel("训练规则 \(text) 无效") }
                return (f, k)
            }
        }
        // On every core at once: random pairs for u (job 0), and the pairs of each training rule grouped
        // by their pattern of levels (jobs 1…), so EM then iterates over patterns instead of pairs.
        let me = self
        let jobs = Parallel.map(1 + trainingRules.count) { job -> (counts: [[Double]], patterns: [UInt64: Double], pairs: Int) in
            var buffer = [UInt8](repeating: 0, count: nf)
            if job == 0 { return (me.randomLevelCounts(randomPairs, extra: extraRandomPairs, seed: seed), [:], 0) }
            let rule = trainingRules[job - 1]
            let fixed = Set(rule.map(\.field))
            var patterns: [UInt64: Double] = [:]
            var mark = [Int32](repeating: -1, count: me.leftCount)
            var pairs = 0
            let ruleIndex = [Self.makeIndex(rule, me.left)]
            for j in 0..<me.rightCount {
                Self.forEachCandidate(of: j, me.right, [rule], ruleIndex, mark: &mark) { i in
                    me.levels(i, j, into: &buffer)
                    for f in fixed { buffer[f] = levelCovered }
                    patterns[Self.pack(buffer), default: 0] += 1
                    pairs += 1
                }
            }
            return ([], patterns, pairs)
        }
        let uCounts = jobs[0].counts
        // Half a pair on each level so none is zero; corrected for the matches among the sample below.
        let u = uCounts.map { c in c.map { ($0 + 0.5) / (c.reduce(0, +) + 0.5 * Double(c.count)) } }

        var mSums = model.fields.map { [Double](repeating: 0, count: $0.comparison.levels.count) }
        var rounds = [Int](repeating: 0, count: nf)
        var pairsSeen = 0, iterationsRun = 0
        for (r, rule) in trainingRules.enumerated() {
            let fixed = Set(rule.map(\.field))
            pairsSeen += jobs[r + 1].pairs
            let (m, iterations) = Self.expectationMaximisation(jobs[r + 1].patterns.map { (Self.unpack($0.key, nf), $0.value) }, u: u,
                                                               fields: model.fields, maxIterations: maxIterations)
            iterationsRun += iterations
            for f in 0..<nf where !fixed.contains(f) {
                rounds[f] += 1
                for l in m[f].indices { mSums[f][l] += m[f][l] }
            }
        }
        for f in 0..<nf where rounds[f] == 0 { throw .badModel("字段 \(model.fields[f].name) 在所有训练规则中都被固定，无法估计 m") }
        let m = mSums.indices.map { f in mSums[f].map { max($0 / Double(rounds[f]), 1e-9) } }
        // The prior, from an ID field if there is one, else the field whose agreement tells most.
        let telling = model.fields.firstIndex { $0.comparison == .nationalId } ?? (0..<nf).max { m[$0][0] / u[$0][0] < m[$1][0] / u[$1][0] }!
        let allPairs = Double(leftCount) * Double(rightCount)
        // Agreement on such a field by chance is rare next to agreement of true matches, so it is not subtracted.
        let expectedMatches = max(1, agreeingPairs(telling) / m[telling][0])
        let prior = min(max(expectedMatches / max(1, allPairs), 1e-12), 0.5)

        // u without the matches: random pairs include a few true matches (about prior × pairs × m), which
        // is most of what agrees on an ID. A field blocked on by itself is counted over every pair that
        // agrees on it, and where nothing is left once the matches are taken out, u is three pairs in
        // all (the rule of three for an event never seen).
        var uClean = uCounts.indices.map { f -> [Double] in
            let n = uCounts[f].reduce(0, +)
            let c = uCounts[f].indices.map { l in max(uCounts[f][l] - prior * n * m[f][l], 0) + 0.5 }
            return c.map { $0 / c.reduce(0, +) }
        }
        for f in 0..<nf {
            let own = rules.filter { $0.allSatisfy { $0.field == f } }
            guard !own.isEmpty else { continue }
            let counts = levelCounts(f, over: own)
            let last = uClean[f].count - 1
            for l in 0..<last { uClean[f][l] = max(counts[l] - prior * allPairs * m[f][l], 3) / max(1, allPairs) }
            uClean[f][last] = max(1e-9, 1 - uClean[f][0..<last].reduce(0, +))
        }
        for f in 0..<nf {
            let levels = model.fields[f].comparison.levels
            model.fields[f].weights = Dictionary(uniqueKeysWithValues: levels.indices.map { (levels[$0], MU(m: m[f][$0], u: uClean[f][$0])) })
        }
        model.prior = prior
        return EstimationReport(randomPairs: randomPairs, candidatePairs: pairsSeen, iterations: iterationsRun, prior: prior)
    }

    /// Level counts per field among random pairs. Levels random pairs almost never reach (two IDs one
    /// digit apart) get more pairs, one field at a time.
    func randomLevelCounts(_ pairs: Int, extra extraPairs: Int, seed: UInt64) -> [[Double]] {
        var counts = model.fields.map { [Double](repeating: 0, count: $0.comparison.levels.count) }
        guard leftCount > 0 && rightCount > 0 else { return counts }
        var rng = SeededRandom(seed: seed)
        var buffer = [UInt8](repeating: 0, count: model.fields.count)
        for _ in 0..<pairs {
            levels(Int.random(in: 0..<leftCount, using: &rng), Int.random(in: 0..<rightCount, using: &rng), into: &buffer)
            for f in buffer.indices where buffer[f] < levelCovered { counts[f][Int(buffer[f])] += 1 }
        }
        for f in counts.indices {
            var extra = 0
            let (l, r) = (left[f], right[f])
            while extra < extraPairs && (counts[f].min() ?? 0) < 20 {
                for _ in 0..<100_000 {
                    let level = l.level(Int.random(in: 0..<leftCount, using: &rng), r, Int.random(in: 0..<rightCount, using: &rng))
                    if level < levelCovered { counts[f][Int(level)] += 1 }
                }
                extra += 100_000
            }
        }
        return counts
    }

    /// How many left–right pairs agree exactly on one field, over all pairs (through an index on it).
    func agreeingPairs(_ f: Int) -> Double {
        levelCounts(f, over: [[(field: f, key: BlockKey(model.fields[f].name)!)]])[0]
    }

    /// Pairs at each level of one field among every pair that the given rules (all on that field) bring
    /// together: for an ID, every pair that agrees or nearly agrees, without sampling.
    func levelCounts(_ f: Int, over own: [[(field: Int, key: BlockKey)]]) -> [Double] {
        let index = own.map { Self.makeIndex($0, left) }
        var mark = [Int32](repeating: -1, count: leftCount)
        var counts = [Double](repeating: 0, count: model.fields[f].comparison.levels.count)
        let (l, r) = (left[f], right[f])
        for j in 0..<rightCount {
            Self.forEachCandidate(of: j, right, own, index, mark: &mark) { i in
                let level = l.level(i, r, j)
                if level < levelCovered { counts[Int(level)] += 1 }
            }
        }
        return counts
    }

    /// Levels of up to eight fields in one integer, so grouping a million pairs by pattern does not hash arrays.
    static func pack(_ levels: [UInt8]) -> UInt64 { levels.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } }
    static func unpack(_ key: UInt64, _ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: key >> (8 * UInt64($0))) } }

    /// EM over patterns of levels with u fixed: returns m per field and level, and the iterations run.
    static func expectationMaximisation(_ grouped: [([UInt8], Double)], u: [[Double]], fields: [LinkField], maxIterations: Int) -> ([[Double]], Int) {
        let nf = fields.count
        var m = fields.map { f -> [Double] in
            let raw = f.comparison.levels.indices.map { $0 == 0 ? 8.0 : $0 == f.comparison.levels.count - 1 ? 0.5 : 1.0 }
            return raw.map { $0 / raw.reduce(0, +) }
        }
        var prior = 0.5
        var iterations = 0
        for _ in 0..<maxIterations {
            iterations += 1
            var mCounts = fields.map { [Double](repeating: 1e-9, count: $0.comparison.levels.count) }
            var matches = 0.0, total = 0.0
            for (pattern, count) in grouped {
                var pm = prior, pu = 1 - prior
                for f in 0..<nf where pattern[f] < levelCovered {
                    pm *= m[f][Int(pattern[f])]
                    pu *= u[f][Int(pattern[f])]
                }
                let q = pm / (pm + pu)
                matches += q * count
                total += count
                for f in 0..<nf where pattern[f] < levelCovered { mCounts[f][Int(pattern[f])] += q * count }
            }
            let newM = mCounts.map { c in c.map { $0 / c.reduce(0, +) } }
            let change = zip(newM.joined(), m.joined()).map { abs($0 - $1) }.max() ?? 0
            m = newM
            prior = total > 0 ? min(max(matches / total, 1e-9), 1 - 1e-9) : prior
            if change < 1e-6 && iterations > 1 { break }
        }
        return (m, iterations)
    }
}
