import Crypto
import Domain
import Foundation
import Testing

/// RFC 6238 against its own test vectors, drift and replay, base32 and recovery codes.
@Suite struct SecondFactorTests {
    static let hmac: TOTP.HMACSHA1 = { key, message in
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func policy(digits: Int = 6) throws -> SecondFactorPolicy {
        let p = try SecondFactorPolicy.bundled()
        return SecondFactorPolicy(issuer: p.issuer, digits: digits, period: p.period, driftSteps: p.driftSteps, secretBytes: p.secretBytes,
                                  recoveryCodes: p.recoveryCodes, pendingSeconds: p.pendingSeconds, alwaysRequiredFor: p.alwaysRequiredFor)
    }

    /// RFC 6238 appendix B, SHA-1, eight digits.
    @Test(arguments: [(59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
                      (2_000_000_000, "69279037"), (20_000_000_000, "65353130")] as [(Double, String)])
    func theRFCsVectors(_ seconds: Double, _ expected: String) throws {
        let totp = TOTP(secret: Array("12345678901234567890".utf8), policy: try Self.policy(digits: 8), hmac: Self.hmac)
        #expect(totp.code(step: totp.step(at: Date(timeIntervalSince1970: seconds))) == expected)
    }

    @Test func aCodeIsGoodWithinOneStepOfDriftAndOnlyOnce() throws {
        let totp = TOTP(secret: Array("12345678901234567890".utf8), policy: try Self.policy(), hmac: Self.hmac)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let step = totp.step(at: now)
        // a phone's clock a step behind or ahead is accepted; two steps is not
        #expect(totp.matchingStep(totp.code(step: step - 1), at: now, after: nil) == step - 1)
        #expect(totp.matchingStep(totp.code(step: step + 1), at: now, after: nil) == step + 1)
        #expect(totp.matchingStep(totp.code(step: step - 2), at: now, after: nil) == nil)
        // typed with a space, as apps show it
        let code = totp.code(step: step)
        #expect(totp.matchingStep(String(code.prefix(3)) + " " + String(code.suffix(3)), at: now, after: nil) == step)
        // once used, neither it nor an earlier one is good again
        #expect(totp.matchingStep(code, at: now, after: step) == nil)
        #expect(totp.matchingStep(totp.code(step: step - 1), at: now, after: step) == nil)
        #expect(totp.matchingStep(totp.code(step: step + 1), at: now, after: step) == step + 1)
        // not a code at all
        for junk in ["", "12345", "1234567", "abcdef", "１２３４５６"] { #expect(totp.matchingStep(junk, at: now, after: nil) == nil, "\(junk)") }
    }

    @Test func base32RoundTripsAndMatchesRFC4648() {
        // RFC 4648 section 10, without padding
        for (plain, encoded) in [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")] {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded.lowercased()) == Array(plain.utf8))
        }
        #expect(Base32.decode("MZXW-6YTB OI==") == Array("foobar".utf8))
        #expect(Base32.decode("MZ1W") == nil)
    }

    @Test func theEnrolmentLinkIsWhatAppsRead() throws {
        let totp = TOTP(secret: Array("12345678901234567890".utf8), policy: try Self.policy(), hmac: Self.hmac)
        #expect(totp.uri(account: "li.na") == "otpauth://totp/Jiuzhu:li.na?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Jiuzhu&digits=6&period=30")
    }

    @Test func recoveryCodesAreDistinctAndForgiveHowTheyAreTyped() {
        let codes = RecoveryCodes.generate(10)
        #expect(Set(codes).count == 10)
        #expect(codes.allSatisfy { $0.count == 11 && $0.contains("-") })
        #expect(RecoveryCodes.normalised(" \(codes[0].uppercased().replacingOccurrences(of: "-", with: " ")) ") == RecoveryCodes.normalised(codes[0]))
    }

    @Test func administratorsAlwaysNeedItAndOthersWhenConfigured() throws {
        let p = try SecondFactorPolicy.bundled()
        for role in Role.allCases {
            #expect(p.required(for: role, configured: []) == role.isAdministrator)
        }
        #expect(p.required(for: .townshipOfficer, configured: [.townshipOfficer]))
    }
}
