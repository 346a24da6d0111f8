// libFuzzer's entry point (see run.sh). The target is named by PARTYHUB_FUZZ_TARGET (a
// `FuzzTarget` raw value: frames, http, json, token, api-bodies, log-segment, log-payload), so
// each target keeps its own corpus of plain inputs, the same files `swift test` replays.

import Glibc

private let target: FuzzTarget = {
    let name = getenv("PARTYHUB_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        fatalError("set PARTYHUB_FUZZ_TARGET to one of: \(names)")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    target.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
