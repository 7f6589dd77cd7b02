// main.swift: the entry point of `secure-api`, the command-line face of the crypto package.
// The command table below is the whole list of subcommands; each lives in Commands/<Name>.swift.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The root of the command table. To add a subcommand, declare a `Command` in its own file
/// under `Commands/` and list it here.
let rootCommand = Command(
  name: "secure-api",
  summary:
    "The pure-Swift crypto core and the Secure API protocol: hash, authenticate, encrypt,\n"
    + "check test vectors, make keys, seal and open tokens, serve and query a server.",
  details: """
    Exit status: 0 on success; 1 when an operation fails (unreadable file, bad padding, invalid
    token, failed vectors); 2 for bad usage (unknown subcommand or option, missing argument,
    bad hex, wrong key or IV length, malformed key, non-numeric time). The protocol clients
    (put, get, client) also exit with 3 when the server refused the request (rej: replayed,
    stale or future) and 4 when its reply is insecure (does not decrypt with the key or does
    not echo the request's time).
    """,
  subcommands: [
    .hash, .hmac, .aes128CBC, .fernet, .vectors, .keygen, .seal, .open, .serve, .put, .get,
    .client, .demo,
  ])

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
