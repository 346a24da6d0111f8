import TestSupport
import XCTest

@testable import Realtime

/// CRC32C against the published vectors (RFC 3720 B.4, and the "123456789" check value), on
/// the hardware and the table implementations alike, at every alignment and every split.
final class CRC32CTests: XCTestCase {
    private typealias Implementation = (name: String, checksum: (UnsafeRawBufferPointer, UInt32) -> UInt32)

    private var implementations: [Implementation] {
        var result: [Implementation] = [
            ("dispatch", { CRC32C.checksum($0, continuing: $1) }),
            ("software", { CRC32C.softwareChecksum($0, continuing: $1) }),
        ]
        if CRC32C.hardwareAvailable {
            result.append(("hardware", { CRC32C.hardwareChecksum($0, continuing: $1) }))
        }
        return result
    }

    private static let vectors: [(name: String, bytes: [UInt8], crc: UInt32)] = [
        ("32 zero bytes", [UInt8](repeating: 0, count: 32), 0x8A91_36AA),
        ("32 0xFF bytes", [UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
        ("0...31 ascending", (0..<32).map { UInt8($0) }, 0x46DD_794E),
        ("31...0 descending", (0..<32).reversed().map { UInt8($0) }, 0x113F_DB5C),
        ("123456789", Array("123456789".utf8), 0xE306_9283),
        ("empty", [], 0),
    ]

    func testThisMachineUsesTheHardwareWhenItHasIt() {
        XCTAssertEqual(CRC32C.usesHardware, CRC32C.hardwareAvailable)
        print("CRC32C: hardware available \(CRC32C.hardwareAvailable), in use \(CRC32C.usesHardware)")
    }

    func testPublishedVectors() {
        for implementation in implementations {
            for vector in Self.vectors {
                let crc = vector.bytes.withUnsafeBytes { implementation.checksum($0, 0) }
                XCTAssertEqual(crc, vector.crc, "\(implementation.name): \(vector.name)")
            }
        }
    }

    func testPublishedVectorsAtEveryAlignment() {
        for implementation in implementations {
            for vector in Self.vectors {
                for shift in 0..<16 {
                    var shifted = [UInt8](repeating: 0xA5, count: shift)
                    shifted += vector.bytes
                    let crc = shifted.withUnsafeBytes {
                        implementation.checksum(UnsafeRawBufferPointer(rebasing: $0[shift...]), 0)
                    }
                    XCTAssertEqual(crc, vector.crc, "\(implementation.name): \(vector.name) at offset \(shift)")
                }
            }
        }
    }

    func testPublishedVectorsSplitAtEveryByte() {
        for implementation in implementations {
            for vector in Self.vectors {
                for split in 0...vector.bytes.count {
                    let crc = vector.bytes.withUnsafeBytes { bytes in
                        let first = implementation.checksum(UnsafeRawBufferPointer(rebasing: bytes[..<split]), 0)
                        return implementation.checksum(UnsafeRawBufferPointer(rebasing: bytes[split...]), first)
                    }
                    XCTAssertEqual(crc, vector.crc, "\(implementation.name): \(vector.name) split at \(split)")
                }
            }
        }
    }

    func testImplementationsAgreeOnLongInputsAtEveryAlignmentAndLength() {
        var random = SplitMix64(seed: 42)
        let bytes = (0..<(4096 + 64)).map { _ in random.nextByte() }
        bytes.withUnsafeBytes { all in
            for start in 0..<16 {
                for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 255, 256, 1000, 4096] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    let expected = CRC32C.softwareChecksum(slice)
                    XCTAssertEqual(bitwiseCRC32C(slice), expected, "table vs bitwise at \(start)+\(length)")
                    for implementation in implementations {
                        XCTAssertEqual(
                            implementation.checksum(slice, 0), expected, "\(implementation.name) at \(start)+\(length)")
                    }
                }
            }
        }
    }

    func testMaskIsReversibleAndChangesTheValue() {
        for crc: UInt32 in [0, 1, 0xE306_9283, 0xFFFF_FFFF, 0x8000_0000] {
            XCTAssertEqual(CRC32C.unmask(CRC32C.mask(crc)), crc)
            XCTAssertNotEqual(CRC32C.mask(crc), crc)
            XCTAssertNotEqual(CRC32C.mask(CRC32C.mask(crc)), CRC32C.mask(crc))
        }
    }

    /// The definition, one bit at a time: the reference the faster code is held to.
    private func bitwiseCRC32C(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0x82F6_3B78 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}
