import Protocol
import TestSupport
import XCTest

final class UTF8ValidatorTests: XCTestCase {
    // MARK: - Helpers

    private func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { UTF8Validator.isValid($0) }
    }

    /// Feeds `bytes` one at a time and returns the index of the byte that was refused.
    private func rejectedIndex(_ bytes: [UInt8]) -> Int? {
        var validator = UTF8Validator()
        for (index, byte) in bytes.enumerated() where !validator.validate([byte]) { return index }
        return nil
    }

    /// Valid sequences of every length, at the edges of each range of RFC 3629's table.
    private let validSequences: [[UInt8]] = [
        [0x00], [0x41], [0x7F],
        [0xC2, 0x80], [0xC3, 0xA9], [0xDF, 0xBF],
        [0xE0, 0xA0, 0x80], [0xE2, 0x82, 0xAC], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF],
        [0xF0, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xF3, 0xBF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF],
    ]

    // MARK: - Valid input

    func testValidSequencesOfOneToFourBytesAreAccepted() {
        for sequence in validSequences {
            XCTAssertTrue(isValid(sequence), "\(sequence)")
            XCTAssertTrue(isValid([0x61] + sequence + [0x62]), "\(sequence) between ASCII")
            XCTAssertNotNil(String(validating: sequence, as: UTF8.self), "the reference agrees on \(sequence)")
        }
        XCTAssertTrue(isValid(validSequences.flatMap { $0 }))
        XCTAssertTrue(isValid([]))
    }

    func testEverySplitPositionOfAMultiByteSequenceIsAccepted() {
        for sequence in validSequences where sequence.count > 1 {
            let text = [0x61] + sequence + [0x62]
            for split in 1..<text.count {
                var validator = UTF8Validator()
                XCTAssertTrue(validator.validate(Array(text[..<split])), "\(sequence) split at \(split)")
                let insideSequence = split > 1 && split < 1 + sequence.count
                XCTAssertEqual(validator.isAtCharacterBoundary, !insideSequence, "\(sequence) split at \(split)")
                XCTAssertTrue(validator.validate(Array(text[split...])), "\(sequence) split at \(split)")
                XCTAssertTrue(validator.isAtCharacterBoundary)
            }
            // And one byte per call.
            var validator = UTF8Validator()
            for byte in text { XCTAssertTrue(validator.validate([byte])) }
            XCTAssertTrue(validator.isAtCharacterBoundary)
        }
    }

    func testEmptyInputKeepsTheState() {
        var validator = UTF8Validator()
        XCTAssertTrue(validator.validate([0xE2]))
        XCTAssertTrue(validator.validate([]))
        XCTAssertFalse(validator.isAtCharacterBoundary)
        XCTAssertTrue(validator.validate([0x82, 0xAC]))
        XCTAssertTrue(validator.isAtCharacterBoundary)
    }

    func testTruncatedSequenceIsValidSoFarButNotComplete() {
        for truncated: [UInt8] in [[0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0x61, 0xF4]] {
            var validator = UTF8Validator()
            XCTAssertTrue(validator.validate(truncated), "\(truncated) may still be completed")
            XCTAssertFalse(validator.isAtCharacterBoundary, "\(truncated)")
            XCTAssertFalse(isValid(truncated), "\(truncated) is not a complete text")
        }
    }

    // MARK: - Invalid input, refused at the first impossible byte

    func testOverlongFormsAreRefused() {
        XCTAssertEqual(rejectedIndex([0xC0, 0x80]), 0, "C0 can only start an overlong form")
        XCTAssertEqual(rejectedIndex([0xC1, 0xBF]), 0, "C1 can only start an overlong form")
        XCTAssertEqual(rejectedIndex([0xE0, 0x80, 0x80]), 1)
        XCTAssertEqual(rejectedIndex([0xE0, 0x9F, 0xBF]), 1)
        XCTAssertEqual(rejectedIndex([0xF0, 0x80, 0x80, 0x80]), 1)
        XCTAssertEqual(rejectedIndex([0xF0, 0x8F, 0xBF, 0xBF]), 1)
    }

    func testSurrogatesAreRefused() {
        XCTAssertEqual(rejectedIndex([0xED, 0xA0, 0x80]), 1, "U+D800")
        XCTAssertEqual(rejectedIndex([0xED, 0xBF, 0xBF]), 1, "U+DFFF")
        XCTAssertEqual(rejectedIndex([0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]), 1, "a CESU-8 pair")
    }

    func testCodePointsAboveU10FFFFAreRefused() {
        XCTAssertEqual(rejectedIndex([0xF4, 0x90, 0x80, 0x80]), 1, "U+110000")
        XCTAssertEqual(rejectedIndex([0xF4, 0xBF, 0xBF, 0xBF]), 1)
    }

    func testBytesF5ToFFAreRefusedWherever() {
        for byte: UInt8 in 0xF5...0xFF {
            XCTAssertEqual(rejectedIndex([byte]), 0, "byte \(byte)")
            XCTAssertEqual(rejectedIndex([0x61, byte, 0x80, 0x80]), 1, "byte \(byte)")
        }
    }

    func testLoneContinuationBytesAreRefused() {
        for byte: UInt8 in 0x80...0xBF {
            XCTAssertEqual(rejectedIndex([byte]), 0, "byte \(byte)")
            XCTAssertEqual(rejectedIndex([0xC3, 0xA9, byte]), 2, "byte \(byte) after a complete character")
        }
        XCTAssertEqual(rejectedIndex([0xE2, 0x82, 0xAC, 0xAC]), 3, "one continuation too many")
    }

    func testLeadByteWhereAContinuationIsExpectedIsRefused() {
        XCTAssertEqual(rejectedIndex([0xE2, 0x41]), 1)
        XCTAssertEqual(rejectedIndex([0xE2, 0x82, 0xC3, 0xA9]), 2)
        XCTAssertEqual(rejectedIndex([0xF0, 0x9F, 0x98, 0x61]), 3)
    }

    func testRejectionIsFinal() {
        var validator = UTF8Validator()
        XCTAssertFalse(validator.validate([0xFF]))
        XCTAssertFalse(validator.validate([0x61]))
        XCTAssertFalse(validator.validate([]))
        XCTAssertFalse(validator.validate([UInt8](repeating: 0x61, count: 64)))
        XCTAssertFalse(validator.isAtCharacterBoundary)
    }

    // MARK: - ASCII fast path

    func testLongASCIIRunsAreAccepted() {
        let ascii = (0..<10_000).map { UInt8($0 % 128) }
        XCTAssertTrue(isValid(ascii))
        var validator = UTF8Validator()
        for start in stride(from: 0, to: ascii.count, by: 333) {
            XCTAssertTrue(validator.validate(Array(ascii[start..<min(start + 333, ascii.count)])))
        }
        XCTAssertTrue(validator.isAtCharacterBoundary)
    }

    func testBadByteAnywhereInALongASCIIRunIsFound() {
        for position in 0..<72 {
            var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 72)
            bytes[position] = 0x80
            XCTAssertFalse(isValid(bytes), "lone continuation at \(position)")
            XCTAssertEqual(rejectedIndex(bytes), position)
            bytes[position] = 0xFF
            XCTAssertFalse(isValid(bytes), "FF at \(position)")
        }
    }

    func testMultiByteCharacterAnywhereInALongASCIIRunIsAccepted() {
        for position in 0..<70 {
            for sequence in validSequences where sequence.count > 1 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 72)
                bytes.replaceSubrange(position..<(position + sequence.count - 1), with: sequence)
                XCTAssertTrue(isValid(bytes), "\(sequence) at \(position)")
            }
        }
    }

    func testASCIIAfterAnOpenSequenceIsRefused() {
        // The fast path must not skip ASCII while a sequence waits for continuation bytes.
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: 64)
        var validator = UTF8Validator()
        XCTAssertTrue(validator.validate([0x61, 0xE2]))
        XCTAssertFalse(validator.validate(long))
        XCTAssertFalse(isValid([0xF0] + long))
        XCTAssertFalse(isValid([0xC3] + long))
    }

    func testTruncatedSequenceAtTheEndOfALongRunIsNotComplete() {
        XCTAssertFalse(isValid([UInt8](repeating: 0x61, count: 63) + [0xE2, 0x82]))
        XCTAssertTrue(isValid([UInt8](repeating: 0x61, count: 63) + [0xE2, 0x82, 0xAC]))
    }

    func testUnalignedBuffersAreValidatedTheSame() {
        let text =
            Array(String(repeating: "party ", count: 10).utf8) + [0xC3, 0xA9] + Array("and more ascii text".utf8)
        for offset in 0..<8 {
            let bytes = [UInt8](repeating: 0x20, count: offset) + text
            bytes.withUnsafeBytes { raw in
                XCTAssertTrue(
                    UTF8Validator.isValid(UnsafeRawBufferPointer(rebasing: raw[offset...])), "offset \(offset)")
            }
            var broken = bytes
            broken[offset + text.count - 3] = 0xC0
            broken.withUnsafeBytes { raw in
                XCTAssertFalse(
                    UTF8Validator.isValid(UnsafeRawBufferPointer(rebasing: raw[offset...])), "offset \(offset)")
            }
        }
    }

    // MARK: - Against the standard library

    /// Bytes that are likely to form interesting sequences: ASCII, the edges of each lead and
    /// continuation range, and valid encodings of random scalars.
    private func randomText(_ generator: inout SplitMix64) -> [UInt8] {
        let edges: [UInt8] = [
            0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
            0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        var bytes: [UInt8] = []
        let pieces = generator.next(below: 24)
        for _ in 0..<pieces {
            switch generator.next(below: 6) {
            case 0:
                bytes.append(generator.nextByte())
            case 1:
                bytes.append(edges[generator.next(below: edges.count)])
            case 2:
                bytes.append(UInt8(0x80 + generator.next(below: 64)))
            case 3:
                bytes += [UInt8](
                    repeating: UInt8(0x20 + generator.next(below: 95)), count: 1 + generator.next(below: 20))
            default:
                let value = UInt32(generator.next(below: 0x11_0000))
                if let scalar = Unicode.Scalar(value) { bytes += Array(String(scalar).utf8) }
            }
        }
        // Sometimes cut a character short at the end.
        if !bytes.isEmpty && generator.next(below: 5) == 0 { bytes.removeLast() }
        return bytes
    }

    func testValidatorAgreesWithTheStandardLibraryOnRandomBytes() {
        var generator = SplitMix64(seed: 0x5554_462D_38)
        var validCount = 0
        for round in 0..<5000 {
            let bytes = randomText(&generator)
            let expected = String(validating: bytes, as: UTF8.self) != nil
            if expected { validCount += 1 }
            XCTAssertEqual(isValid(bytes), expected, "round \(round): \(bytes)")

            // The same verdict when fed in random pieces.
            var validator = UTF8Validator()
            var index = 0
            var accepted = true
            while index < bytes.count && accepted {
                let length = 1 + generator.next(below: bytes.count - index)
                accepted = validator.validate(Array(bytes[index..<(index + length)]))
                index += length
            }
            XCTAssertEqual(accepted && validator.isAtCharacterBoundary, expected, "round \(round) in pieces: \(bytes)")
        }
        // The generator must exercise both verdicts for the comparison to mean anything.
        XCTAssertGreaterThan(validCount, 500)
        XCTAssertLessThan(validCount, 4500)
    }
}
