import Protocol
import TestSupport
import XCTest

final class WebSocketMaskingTests: XCTestCase {
    private let keyBytes: [UInt8] = [0xA1, 0x5B, 0x3C, 0xE7]

    /// The key as `unmask` takes it: the four bytes in memory order.
    private var key: UInt32 {
        var value: UInt32 = 0
        withUnsafeMutableBytes(of: &value) { raw in
            for index in 0..<4 { raw[index] = keyBytes[index] }
        }
        return value
    }

    private func naiveUnmask(_ bytes: [UInt8], phase: Int) -> [UInt8] {
        bytes.enumerated().map { $1 ^ keyBytes[($0 + phase) & 3] }
    }

    func testUnmaskMatchesNaiveXORForEveryPhaseAndLengthUpTo40() {
        var generator = SplitMix64(seed: 0x6D61_736B)
        for phase in 0..<8 {
            for length in 0...40 {
                let data = (0..<length).map { _ in generator.nextByte() }
                var unmasked = data
                unmasked.withUnsafeMutableBytes { raw in
                    WebSocketMasking.unmask(
                        raw.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 8)!, count: length, key: key,
                        phase: phase)
                }
                XCTAssertEqual(unmasked, naiveUnmask(data, phase: phase), "phase \(phase), \(length) bytes")
            }
        }
    }

    func testUnmaskWorksOnUnalignedBuffersAndTouchesOnlyItsBytes() {
        var generator = SplitMix64(seed: 42)
        for offset in 0..<8 {
            for length in [0, 1, 3, 7, 8, 9, 15, 16, 17, 33] {
                for phase in 0..<4 {
                    let data = (0..<(length + 16)).map { _ in generator.nextByte() }
                    var buffer = data
                    buffer.withUnsafeMutableBytes { raw in
                        WebSocketMasking.unmask(raw.baseAddress! + offset, count: length, key: key, phase: phase)
                    }
                    let context = "offset \(offset), \(length) bytes, phase \(phase)"
                    XCTAssertEqual(Array(buffer[..<offset]), Array(data[..<offset]), "bytes before: \(context)")
                    XCTAssertEqual(
                        Array(buffer[offset..<(offset + length)]),
                        naiveUnmask(Array(data[offset..<(offset + length)]), phase: phase), context)
                    XCTAssertEqual(
                        Array(buffer[(offset + length)...]), Array(data[(offset + length)...]),
                        "bytes after: \(context)")
                }
            }
        }
    }

    func testUnmaskingInPiecesEqualsUnmaskingAtOnce() {
        var generator = SplitMix64(seed: 7)
        let data = (0..<100).map { _ in generator.nextByte() }
        for first in 0...data.count {
            var buffer = data
            buffer.withUnsafeMutableBytes { raw in
                WebSocketMasking.unmask(raw.baseAddress!, count: first, key: key, phase: 0)
                WebSocketMasking.unmask(raw.baseAddress! + first, count: data.count - first, key: key, phase: first)
            }
            XCTAssertEqual(buffer, naiveUnmask(data, phase: 0), "split at \(first)")
        }
    }

    func testUnmaskingTwiceRestoresTheBytes() {
        let data = Array("The quick brown fox jumps over the lazy dog".utf8)
        var buffer = data
        buffer.withUnsafeMutableBytes { raw in
            WebSocketMasking.unmask(raw.baseAddress!, count: raw.count, key: key, phase: 3)
            WebSocketMasking.unmask(raw.baseAddress!, count: raw.count, key: key, phase: 3)
        }
        XCTAssertEqual(buffer, data)
    }
}
