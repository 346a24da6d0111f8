import Foundation
import PackagePlugin

/// Bakes the commit the binary is built from into `partyhub --version`: `git rev-parse` in the
/// package directory writes `BuildCommit.swift`, rewritten only when its text changes. It is a
/// build command whose inputs are git's HEAD, the branch's ref, packed-refs, the index and every
/// file under Sources/, so a commit, a checkout or an edit runs it again (a prebuild command
/// would not: SwiftPM reuses its output until the build plan changes). No git, not a clone (a
/// source tarball), or a copy inside another repository: the commit is `unknown`, never a
/// guess. Uncommitted changes to tracked files add `-dirty`.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directory = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let output = directory.appending(path: "BuildCommit.swift")
        let package = context.package.directoryURL.path
        let script = """
            mkdir -p "$(dirname "$2")"
            c=unknown
            # Only the package's own repository: a copy inside another one must not take its commit.
            top=$(git -C "$1" rev-parse --show-toplevel 2>/dev/null) || top=
            if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$1" && pwd -P)" ]; then
              c=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null) || c=unknown
            fi
            if [ "$c" != unknown ] && ! git -C "$1" diff --quiet HEAD -- 2>/dev/null; then c="$c-dirty"; fi
            printf '/// Generated before each build by the BuildCommit plugin.\\nlet buildCommit = "%s"\\n' "$c" > "$2.new"
            if cmp -s "$2.new" "$2"; then rm -f "$2.new"; else mv "$2.new" "$2"; fi
            """
        return [
            .buildCommand(
                displayName: "Recording the build commit",
                executable: URL(filePath: "/bin/sh"),
                arguments: ["-c", script, "build-commit", package, output.path],
                inputFiles: Self.gitFiles(package: package) + Self.sourceFiles(package: context.package.directoryURL),
                outputFiles: [output])
        ]
    }

    /// The git files a commit, a checkout or staging changes; none outside a git clone.
    static func gitFiles(package: String) -> [URL] {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["git", "-C", package, "rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return [] }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = output.split(separator: "\n").map(String.init)
        guard process.terminationStatus == 0, lines.count == 2 else { return [] }
        let gitDirectory = URL(filePath: lines[0])
        let commonDirectory = URL(filePath: lines[1])
        var files = [gitDirectory.appending(path: "HEAD"), gitDirectory.appending(path: "index"), commonDirectory.appending(path: "packed-refs")]
        if let head = try? String(contentsOf: gitDirectory.appending(path: "HEAD"), encoding: .utf8), head.hasPrefix("ref: ") {
            files.append(commonDirectory.appending(path: head.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return files.filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Every file under Sources/, so that an edit refreshes `-dirty`.
    static func sourceFiles(package: URL) -> [URL] {
        let sources = package.appending(path: "Sources")
        guard let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    }
}
