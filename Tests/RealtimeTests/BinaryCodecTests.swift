import Protocol
import TestSupport
import XCTest

@testable import Realtime

/// The codec's primitives: exact bytes and round trips at the boundaries of each width,
/// refusal of every malformed form (truncated, overlong, oversized lengths, bad UTF-8,
/// unknown tags), and seeded random and mutated input that must decode or fail, never trap.
final class BinaryCodecTests: XCTestCase {
    private var random = SplitMix64(seed: 0xB1_7A_C0_DE_C0_DE)

    // MARK: Round trips

    func testVarUIntsHaveTheirLEB128BytesAndRoundTripAtEveryWidth() throws {
        let known: [(UInt64, [UInt8])] = [
            (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
            (16_383, [0xFF, 0x7F]), (16_384, [0x80, 0x80, 0x01]),
            (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ]
        for (value, bytes) in known { XCTAssertEqual(encoded { $0.writeVarUInt(value) }, bytes, "\(value)") }
        var values: [UInt64] = [0, 127, 128, 1 << 32 - 1, 1 << 32, 1 << 62, UInt64.max - 1, UInt64.max]
        for shift in stride(from: 7, through: 63, by: 7) { values += [1 << UInt64(shift) - 1, 1 << UInt64(shift)] }
        for value in values {
            let bytes = encoded { $0.writeVarUInt(value) }
            XCTAssertEqual(
                bytes.count, max(1, (64 - value.leadingZeroBitCount + 6) / 7), "\(value) in its shortest form")
            XCTAssertEqual(try decoded(bytes) { try $0.readVarUInt() }, value)
        }
    }

    func testVarIntsZigzagSoSmallNegativesStayShort() throws {
        let known: [(Int64, [UInt8])] = [(0, [0]), (-1, [1]), (1, [2]), (-64, [0x7F]), (64, [0x80, 0x01])]
        for (value, bytes) in known { XCTAssertEqual(encoded { $0.writeVarInt(value) }, bytes, "\(value)") }
        let values: [Int64] = [
            0, -1, 1, 63, -64, 64, -65, Int64(Int32.max), Int64(Int32.min), 1_800_000_000_000, .max, .min, .max - 1,
            .min + 1,
        ]
        for value in values {
            XCTAssertEqual(try decoded(encoded { $0.writeVarInt(value) }) { try $0.readVarInt() }, value)
        }
        XCTAssertEqual(encoded { $0.writeVarInt(.min) }, encoded { $0.writeVarUInt(.max) })
    }

    func testFixedWidthValuesAreLittleEndianAndRoundTrip() throws {
        XCTAssertEqual(encoded { $0.writeUInt32LE(0x0102_0304) }, [4, 3, 2, 1])
        XCTAssertEqual(encoded { $0.writeUInt64LE(0x0102_0304_0506_0708) }, [8, 7, 6, 5, 4, 3, 2, 1])
        for value: UInt32 in [0, 1, 0x80, .max] {
            XCTAssertEqual(try decoded(encoded { $0.writeUInt32LE(value) }) { try $0.readUInt32LE() }, value)
        }
        for value: UInt64 in [0, 1 << 32, .max] {
            XCTAssertEqual(try decoded(encoded { $0.writeUInt64LE(value) }) { try $0.readUInt64LE() }, value)
        }
        for value: UInt8 in [0, 127, 128, 255] { XCTAssertEqual(try decoded([value]) { try $0.readUInt8() }, value) }
        XCTAssertEqual(
            encoded {
                $0.writeBool(false)
                $0.writeBool(true)
            }, [0, 1])
        XCTAssertEqual(try decoded([0, 1]) { [try $0.readBool(), try $0.readBool()] }, [false, true])
    }

    func testDoublesRoundTripBitForBit() throws {
        let values: [Double] = [
            0, -0.0, 1, -1.5, 0.1, .pi, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -.infinity, .nan,
            Double(bitPattern: 0x7FF8_0000_0000_1234),
        ]
        for value in values {
            let bytes = encoded { $0.writeDouble(value) }
            XCTAssertEqual(bytes.count, 8)
            XCTAssertEqual(try decoded(bytes) { try $0.readDouble() }.bitPattern, value.bitPattern)
        }
    }

    func testStringsRoundTripEmptyNonASCIIAndAcrossLengthPrefixWidths() throws {
        var strings = ["", "a", "héllo", "日本語のテキスト", "🎉👩‍👩‍👧", "e\u{301}", "\u{0}nul", String(repeating: "é", count: 1025)]
        for length in [1, 2, 124, 125, 126, 127, 128, 129, 16_383, 16_384, 65_534, 65_535] {
            strings.append(String(repeating: "x", count: length))
        }
        for string in strings {
            let bytes = encoded { $0.writeString(string) }
            XCTAssertEqual(
                bytes.count, string.utf8.count + encoded { $0.writeVarUInt(UInt64(string.utf8.count)) }.count)
            let back = try decoded(bytes) { try $0.readString() }
            XCTAssertTrue(back.utf8.elementsEqual(string.utf8), "\(string.prefix(20)) comes back byte for byte")
        }
    }

    func testOptionalsArraysAndDictionariesRoundTrip() throws {
        let optionals: [Int64?] = [nil, 0, -5, .max]
        XCTAssertEqual(try decoded(encoded { $0.write(optionals) }) { try $0.read([Int64?].self) }, optionals)
        XCTAssertEqual(try decoded(encoded { $0.write([String]()) }) { try $0.read([String].self) }, [])
        let dictionary = ["b": 2, "a": 1, "é": 3, "": 0]
        let bytes = encoded { $0.writeDictionary(dictionary) }
        XCTAssertEqual(try decoded(bytes) { try $0.readDictionary() as [String: Int] }, dictionary)
        XCTAssertEqual(Array(bytes.prefix(4)), [4, 0, 0, 1], "the count, then the keys in UTF-8 order: \"\" first")
    }

    func testStringKeysAreOrderedByTheirUTF8Bytes() {
        // `<` would put the canonically equivalent "e\u{301}" and "é" together; bytes do not.
        let keys = ["é", "b", "", "aa", "e\u{301}", "Z", "a", "日", "ab\u{0}", "ab", String(repeating: "x", count: 40)]
        let expected = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        XCTAssertEqual(keys.sorted(by: String.encodesBefore).map { Array($0.utf8) }, expected.map { Array($0.utf8) })
        XCTAssertEqual(expected.first, "")
        XCTAssertFalse(String.encodesBefore("a", "a"))
        let sessions = [SessionID(rawValue: 9), SessionID(rawValue: 0), SessionID(rawValue: .max)]
        XCTAssertEqual(sessions.sorted(by: SessionID.encodesBefore).map(\.rawValue), [0, 9, .max])
    }

    func testResetKeepsTheCapacityAndStartsOver() {
        var writer = BinaryWriter(reservingCapacity: 64)
        writer.writeString("first record")
        let capacity = writer.bytes.capacity
        writer.reset()
        XCTAssertEqual(writer.bytes, [])
        XCTAssertEqual(writer.bytes.capacity, capacity)
        writer.writeUInt8(7)
        XCTAssertEqual(writer.bytes, [7])
    }

    func testReaderReportsRemainingAndEnd() throws {
        try [UInt8]([1, 2, 3]).withUnsafeBytes { raw in
            var reader = BinaryReader(raw)
            XCTAssertEqual(reader.remaining, 3)
            XCTAssertFalse(reader.isAtEnd)
            _ = try reader.readUInt8()
            XCTAssertEqual(reader.remaining, 2)
            XCTAssertThrowsError(try reader.expectEnd())
            _ = try reader.readUInt8()
            _ = try reader.readUInt8()
            XCTAssertTrue(reader.isAtEnd)
            XCTAssertThrowsError(try reader.readUInt8())
        }
        XCTAssertThrowsError(try decoded([]) { try $0.readUInt8() }, "empty memory has no byte")
    }

    // MARK: Malformed input

    func testMalformedPrimitivesAreRefusedWithTheirOffset() {
        XCTAssertEqual(failure([0x80, 0x00]) { try $0.readVarUInt() }, .varIntNotMinimal(at: 0))
        XCTAssertEqual(
            failure([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]) { try $0.readVarUInt() },
            .varIntTooLong(at: 0))
        XCTAssertEqual(
            failure([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x00]) { try $0.readVarUInt() },
            .varIntTooLong(at: 0))
        XCTAssertEqual(failure([0x80, 0x80]) { try $0.readVarUInt() }, .truncated(needed: 3, remaining: 2, at: 0))
        XCTAssertEqual(failure([1, 2]) { try $0.readUInt32LE() }, .truncated(needed: 4, remaining: 2, at: 0))
        XCTAssertEqual(failure([0, 2]) { [try $0.readBool(), try $0.readBool()] }, .invalidBool(2, at: 1))
        XCTAssertEqual(failure([2, 0xC3, 0x28]) { try $0.readString() }, .invalidUTF8(at: 0))
        XCTAssertEqual(failure([3, 0xED, 0xA0]) { try $0.readString() }, .lengthExceedsInput(3, remaining: 2, at: 0))
        XCTAssertEqual(
            failure([3, 0xED, 0xA0, 0x80]) { try $0.readString() }, .invalidUTF8(at: 0), "a surrogate is not UTF-8")
        XCTAssertEqual(
            failure([4, 0xF0, 0x9F, 0x98, 0x41]) { try $0.readString() }, .invalidUTF8(at: 0),
            "a cut 4-byte sequence, repaired to a U+FFFD of the same length, is still refused")
        XCTAssertEqual(failure([1, 2]) { try $0.readUInt8() }, .trailingBytes(1, at: 1))
        XCTAssertEqual(failure([99]) { try HubInput(decoding: &$0) }, .unknownTag(99, of: "HubInputTag", at: 0))
        XCTAssertEqual(failure([0]) { try HubInput(decoding: &$0) }, .unknownTag(0, of: "HubInputTag", at: 0))
        XCTAssertEqual(
            failure([2, 1, 0x61, 2, 1, 0x61, 4]) { try $0.readDictionary() as [String: Int] }, .duplicateKey(at: 4))
    }

    func testHugeLengthPrefixesAreRefusedBeforeAllocating() {
        for length: UInt64 in [1 << 32, 1 << 62, UInt64.max, 17] {
            let prefix = encoded { $0.writeVarUInt(length) }
            let input = prefix + [0x61, 0x62, 0x63]
            let refused = BinaryDecodingError.lengthExceedsInput(length, remaining: 3, at: 0)
            XCTAssertEqual(failure(input) { try $0.readString() }, refused, "a string of \(length) bytes")
            XCTAssertEqual(failure(input) { try $0.read([PartyEvent].self) }, refused, "\(length) events")
            XCTAssertEqual(failure(input) { try $0.readDictionary() as [String: Int] }, refused, "\(length) keys")
            XCTAssertEqual(failure(input) { try $0.read(SlotTable<Party>.self) }, refused, "\(length) slots")
        }
        // Deep inside a value: a chat of 2^62 bytes in a command.
        let chat = [3, 1, 0] + [4] + encoded { $0.writeVarUInt(1 << 62) } + [0x61]
        XCTAssertEqual(
            failure(chat) { try HubInput(decoding: &$0) }, .lengthExceedsInput(1 << 62, remaining: 1, at: 3 + 1))
    }

    func testErrorsDescribeTheOffsetAndTheReason() {
        let error = failure([3, 1, 0, 77]) { try HubInput(decoding: &$0) }
        XCTAssertEqual(error?.offset, 3)
        XCTAssertEqual(error?.description, "binary decoding failed at offset 3: unknown PartyOperationTag tag 77")
        XCTAssertEqual(
            BinaryDecodingError.lengthExceedsInput(1 << 32, remaining: 2, at: 5).description,
            "binary decoding failed at offset 5: length 4294967296 exceeds the 2 bytes left")
    }

    func testEveryTruncationOfAValidEncodingThrows() {
        let inputs: [HubInput] = [
            .sessionOpened(SessionID(rawValue: 1 << 40), player: "plàyer-1", now: 1_800_000_000_000),
            .command(
                SessionID(rawValue: 9),
                ClientRequest(rid: -3, command: .signal(kind: "pos", data: #"{"x":1}"#), idem: "k"),
                now: 5, seed: PartySeed(id: "party-1", inviteCode: "ABCDEFGH")),
            .command(
                SessionID(rawValue: 2),
                ClientRequest(rid: nil, command: .setComposition(Composition(tank: 1, healer: 1, dps: 3))), now: 0,
                seed: nil),
            .tick(now: .max),
        ]
        for input in inputs {
            let bytes = encoded { input.encode(into: &$0) }
            XCTAssertEqual(try decoded(bytes) { try HubInput(decoding: &$0) }, input)
            for length in 0..<bytes.count {
                XCTAssertThrowsError(
                    try decoded(Array(bytes[..<length])) { try HubInput(decoding: &$0) },
                    "\(length) of \(bytes.count) bytes of \(input)")
            }
        }
        let state = encoded { Self.smallHub().encodeState(into: &$0) }
        XCTAssertGreaterThan(state.count, 1000)
        for length in 0..<state.count {
            XCTAssertThrowsError(
                try decoded(Array(state[..<length])) { try Hub(decodingState: &$0) },
                "\(length) of \(state.count) bytes")
        }
    }

    func testRandomBytesDecodeOrFailButNeverTrap() {
        var values = 0
        for _ in 0..<20_000 {
            let bytes = (0..<random.next(below: 48)).map { _ in random.nextByte() }
            if (try? decoded(bytes) { try HubInput(decoding: &$0) }) != nil { values += 1 }
            _ = try? decoded([Hub.stateFormatVersion] + bytes) { try Hub(decodingState: &$0) }
            _ = try? decoded(bytes) { try $0.read([PartyEvent].self) }
        }
        XCTAssertGreaterThan(values, 0, "some random bytes are inputs")
    }

    func testMutatedEncodingsDecodeOrFailButNeverTrap() {
        let state = encoded { Self.smallHub().encodeState(into: &$0) }
        let input = encoded {
            HubInput.command(
                SessionID(rawValue: 4),
                ClientRequest(rid: 8, command: .join(inviteCode: "ABCDEFGH", role: .dps), idem: "idem"), now: 99,
                seed: nil
            )
            .encode(into: &$0)
        }
        var stillDecoded = 0
        for iteration in 0..<3_000 {
            let mutatedState = mutate(state)
            if (try? decoded(mutatedState) { try Hub(decodingState: &$0) }) != nil { stillDecoded += 1 }
            if iteration % 3 == 0 { _ = try? decoded(mutate(input)) { try HubInput(decoding: &$0) } }
        }
        XCTAssertLessThan(stillDecoded, 3_000, "most mutations are caught")
    }

    // MARK: Helpers

    /// The error decoding `bytes` (whole) with `body` throws, or nil when it succeeds.
    private func failure<Value>(_ bytes: [UInt8], _ body: (inout BinaryReader) throws -> Value) -> BinaryDecodingError?
    {
        do {
            _ = try decoded(bytes, body)
            return nil
        } catch {
            return error as? BinaryDecodingError
        }
    }

    /// One to four byte edits: a changed, removed, inserted or bit-flipped byte, or a cut.
    private func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<1 + random.next(below: 4) where !bytes.isEmpty {
            let index = random.next(below: bytes.count)
            switch random.next(below: 5) {
            case 0: bytes[index] = random.nextByte()
            case 1: bytes.remove(at: index)
            case 2: bytes.insert(random.nextByte(), at: index)
            case 3: bytes[index] ^= 1 << UInt8(random.next(below: 8))
            default: bytes.removeLast(random.next(below: min(bytes.count, 8)))
            }
        }
        return bytes
    }

    /// A hub with a little of everything: parties, an invite, a join request, a ready check,
    /// an offline member in grace, events, `idem` answers.
    static func smallHub() -> Hub {
        let driver = HubDriver()
        _ = driver.partyOfAlice(joiners: 2)
        driver.run(.chat(text: "hi 👋"), from: 1, idem: "chat-1")
        driver.run(.setRole(.tank), from: 2, idem: "role")
        driver.invite("dave", from: 1)
        driver.run(.readyCheck, from: 1)
        driver.run(.ready(true), from: 2)
        driver.close(session: 3)
        driver.open("frank", session: 6)
        let closed = driver.createParty(from: 6, maxMembers: 3)
        driver.run(.setOpen(false), from: 6)
        driver.run(.join(inviteCode: closed.inviteCode, role: .healer), from: 5, idem: "ask")
        driver.run(.kick(player: "nobody"), from: 1, idem: "bad-kick")
        return driver.hub
    }
}
