// main.swift: the entry point of `secure-api`, the command-line face of the crypto package.
// The command table below is the whole list of subcommands; each lives in Commands/<Name>.swift.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The root of the command table. To add a subcommand, declare a `Command` in its own file
/// under `Commands/` and list it here.
let rootCommand = Command(
  name: "secure-api",
  summary:
    "Hashes, authenticates, encrypts and checks test vectors with the pure-Swift crypto core.",
  details: """
    Exit status: 0 on success; 1 when an operation fails (unreadable file, bad padding, invalid
    token, failed vectors); 2 for bad usage (unknown subcommand or option, missing argument,
    bad hex, wrong key or IV length, malformed key, non-numeric time).
    """,
  subcommands: [.hash, .hmac, .aes128CBC, .fernet, .vectors])

/// Parses `arguments` (without the program name), runs the command and returns the exit status.
func runTool(_ arguments: [String]) -> Int32 {
  do {
    switch try parse(arguments, root: rootCommand) {
    case .help(let text):
      IO.write(text)
    case .run(let command, let invocation):
      try command.action?(invocation)
    }
    return 0
  } catch {
    if let message = error.message { IO.writeError(message) }
    return error.exitStatus
  }
}

exit(runTool(Array(CommandLine.arguments.dropFirst())))
