// Arguments.swift: the table-driven command-line parser. Each command declares its options and
// positional arguments once; parsing, validation and the `--help` text all come from that table.
// SPDX-License-Identifier: Apache-2.0

// MARK: - Declarations

/// An option a command accepts, such as `--key-hex HEX` or `--no-padding`.
struct Option: Sendable {
  /// The full spelling, with its leading dashes (`--key-hex`).
  let name: String
  /// The placeholder shown in help for the option's value (`HEX`), or `nil` for a flag.
  let valueName: String?
  /// Whether the command cannot run without it.
  let isRequired: Bool
  /// One line of help.
  let help: String

  /// Declares an option that must be given, with a value.
  static func required(_ name: String, _ valueName: String, _ help: String) -> Option {
    Option(name: name, valueName: valueName, isRequired: true, help: help)
  }

  /// Declares an option that may be given, with a value.
  static func value(_ name: String, _ valueName: String, _ help: String) -> Option {
    Option(name: name, valueName: valueName, isRequired: false, help: help)
  }

  /// Declares a flag, an option without a value.
  static func flag(_ name: String, _ help: String) -> Option {
    Option(name: name, valueName: nil, isRequired: false, help: help)
  }

  /// The option as it is written: `--key-hex HEX` or `--no-padding`.
  var spelling: String {
    valueName.map { "\(name) \($0)" } ?? name
  }

  /// The option as the usage line shows it, in brackets unless required.
  var synopsis: String {
    isRequired ? spelling : "[\(spelling)]"
  }
}

/// A positional argument a command accepts.
struct Positional: Sendable {
  /// How many times an argument may appear.
  enum Arity: Sendable {
    /// Exactly once.
    case required
    /// Zero or one time.
    case optional
    /// Any number of times (only as the last positional).
    case repeated
  }

  /// The placeholder shown in help: `FILE`, or `sha224|sha256` for a choice.
  let name: String
  /// The accepted words, or `nil` for free text.
  let choices: [String]?
  /// How many times the argument may appear.
  let arity: Arity

  /// Declares a required argument that must be one of `choices` (`sha224|sha256`).
  static func choice(_ choices: [String]) -> Positional {
    Positional(name: choices.joined(separator: "|"), choices: choices, arity: .required)
  }

  /// Declares an optional argument.
  static func optional(_ name: String) -> Positional {
    Positional(name: name, choices: nil, arity: .optional)
  }

  /// Declares an argument that may appear any number of times.
  static func repeated(_ name: String) -> Positional {
    Positional(name: name, choices: nil, arity: .repeated)
  }

  /// The argument as the usage line shows it.
  var synopsis: String {
    switch arity {
    case .required: name
    case .optional: "[\(name)]"
    case .repeated: "[\(name)...]"
    }
  }
}

/// A command of the tool: either a group of subcommands or an action with options.
///
/// Adding a subcommand means writing one `Command` value (usually in its own file under
/// `Commands/`) and listing it in its parent's `subcommands`.
struct Command: Sendable {
  /// The word that selects the command.
  let name: String
  /// One line describing the command, shown in its parent's list.
  let summary: String
  /// Paragraphs printed after the options in the command's help.
  let details: String
  /// The positional arguments, in order.
  let positionals: [Positional]
  /// The options, in the order help lists them.
  let options: [Option]
  /// The subcommands, for a group.
  let subcommands: [Command]
  /// The action, for a leaf command.
  let action: (@Sendable (Invocation) throws(CLIError) -> Void)?

  /// Declares a command that runs `action`.
  init(
    name: String, summary: String, details: String = "", positionals: [Positional] = [],
    options: [Option] = [], action: @escaping @Sendable (Invocation) throws(CLIError) -> Void
  ) {
    self.name = name
    self.summary = summary
    self.details = details
    self.positionals = positionals
    self.options = options
    self.subcommands = []
    self.action = action
  }

  /// Declares a group that dispatches to `subcommands`.
  init(name: String, summary: String, details: String = "", subcommands: [Command]) {
    self.name = name
    self.summary = summary
    self.details = details
    self.positionals = []
    self.options = []
    self.subcommands = subcommands
    self.action = nil
  }

  /// The option spelled `name`, if the command declares it.
  func option(named name: String) -> Option? {
    options.first { $0.name == name }
  }
}

// MARK: - Errors

/// Why the tool stops; the message is printed as one line on standard error.
enum CLIError: Error {
  /// The command line is wrong (exit status 2); `help` names the command whose help explains it.
  case usage(String, help: String)
  /// The operation failed on its input (exit status 1).
  case failure(String)
  /// The operation failed and has already explained why (exit status 1, nothing more printed).
  case failureReported
  /// The operation ended with a status of its own (3 refused, 4 insecure), with an optional
  /// line still to print.
  case status(Int32, String?)

  /// The process exit status for the error.
  var exitStatus: Int32 {
    switch self {
    case .usage: 2
    case .failure, .failureReported: 1
    case .status(let status, _): status
    }
  }

  /// The line for standard error, if one is still to be printed.
  var message: String? {
    switch self {
    case .usage(let text, let help): "\(text) (see '\(help) --help')"
    case .failure(let text): text
    case .failureReported: nil
    case .status(_, let text): text
    }
  }
}

// MARK: - Parsed arguments

/// The arguments of one run of a leaf command, checked against its declaration.
struct Invocation {
  /// The words that selected the command (`secure-api fernet encrypt`).
  let commandPath: String
  /// The positional arguments, in order.
  let positionals: [String]
  /// The values of the options given, keyed by spelling (flags map to an empty string).
  let options: [String: String]

  /// The value of `name`, or `nil` when it was not given.
  func value(_ name: String) -> String? {
    options[name]
  }

  /// The value of `name`, which must have been given.
  ///
  /// - Throws: ``CLIError/usage(_:help:)`` when it is missing.
  func required(_ name: String) throws(CLIError) -> String {
    guard let value = options[name] else { throw usage("missing option \(name)") }
    return value
  }

  /// Whether the flag `name` was given.
  func flag(_ name: String) -> Bool {
    options[name] != nil
  }

  /// The value of `name` as a non-negative decimal integer, or `nil` when it was not given.
  ///
  /// - Throws: ``CLIError/usage(_:help:)`` when the value is not a number.
  func unsigned(_ name: String) throws(CLIError) -> UInt64? {
    guard let text = options[name] else { return nil }
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      let number = UInt64(text)
    else {
      throw usage("\(name) expects a non-negative whole number of seconds, got '\(text)'")
    }
    return number
  }

  /// The value of option `name` as a whole number from 1 to `maximum`, or `nil` when absent.
  ///
  /// - Throws: ``CLIError/usage(_:help:)`` for anything else.
  func positive(_ name: String, maximum: Int) throws(CLIError) -> Int? {
    guard let text = options[name] else { return nil }
    guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      let number = Int(text), (1...maximum).contains(number)
    else {
      throw usage("\(name) expects a whole number from 1 to \(maximum), got '\(text)'")
    }
    return number
  }

  /// A usage error that points at this command's help.
  func usage(_ text: String) -> CLIError {
    .usage(text, help: commandPath)
  }
}

// MARK: - Parsing

/// What the command line asks for.
enum ParseResult {
  /// Run `command` with `invocation`.
  case run(Command, Invocation)
  /// Print this help text and succeed.
  case help(String)
}

/// Parses `arguments` (without the program name) against the command table rooted at `root`.
///
/// Subcommand words come first; then options and positional arguments in any order. An option's
/// value is always the next argument, even when it starts with `-` (base64url keys may), or
/// follows `=` (`--key=VALUE`). `--` ends the options; a lone `-` is positional (standard
/// input). `--help` or `-h` prints the help of the command selected so far.
///
/// - Throws: ``CLIError/usage(_:help:)`` for anything the table does not allow.
func parse(_ arguments: [String], root: Command) throws(CLIError) -> ParseResult {
  var command = root
  var path = root.name
  var index = 0

  // Walk down the groups.
  while !command.subcommands.isEmpty {
    guard index < arguments.count else {
      throw .usage("missing subcommand for '\(path)'", help: path)
    }
    let word = arguments[index]
    if word == "--help" || word == "-h" { return .help(helpText(for: command, path: path)) }
    guard let next = command.subcommands.first(where: { $0.name == word }) else {
      let kind = word.hasPrefix("-") ? "unknown option" : "unknown subcommand"
      throw .usage("\(kind) '\(word)' for '\(path)'", help: path)
    }
    command = next
    path += " " + word
    index += 1
  }

  // Options and positionals of the leaf.
  var options: [String: String] = [:]
  var positionals: [String] = []
  var optionsEnded = false
  while index < arguments.count {
    let argument = arguments[index]
    index += 1
    if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
      positionals.append(argument)
      continue
    }
    if argument == "--" {
      optionsEnded = true
      continue
    }
    if argument == "--help" || argument == "-h" {
      return .help(helpText(for: command, path: path))
    }
    var name = argument
    var inlineValue: String?
    if let equals = argument.firstIndex(of: "=") {
      name = String(argument[..<equals])
      inlineValue = String(argument[argument.index(after: equals)...])
    }
    guard let option = command.option(named: name) else {
      throw .usage("unknown option '\(name)' for '\(path)'", help: path)
    }
    guard options[name] == nil else {
      throw .usage("option \(name) given more than once", help: path)
    }
    if let valueName = option.valueName {
      if let inlineValue {
        options[name] = inlineValue
      } else {
        guard index < arguments.count else {
          throw .usage("option \(name) needs a value \(valueName)", help: path)
        }
        options[name] = arguments[index]
        index += 1
      }
    } else {
      guard inlineValue == nil else {
        throw .usage("option \(name) takes no value", help: path)
      }
      options[name] = ""
    }
  }

  if let missing = command.options.first(where: { $0.isRequired && options[$0.name] == nil }) {
    throw .usage("missing option \(missing.spelling)", help: path)
  }
  try check(positionals, against: command.positionals, path: path)
  return .run(command, Invocation(commandPath: path, positionals: positionals, options: options))
}

/// Checks the number of positional arguments and the words of choice arguments.
private func check(_ given: [String], against declared: [Positional], path: String)
  throws(CLIError)
{
  let minimum = declared.count { $0.arity == .required }
  let unbounded = declared.contains { $0.arity == .repeated }
  if given.count < minimum {
    let missing = declared.filter { $0.arity == .required }[given.count]
    throw .usage("missing argument \(missing.name)", help: path)
  }
  if !unbounded && given.count > declared.count {
    throw .usage("unexpected argument '\(given[declared.count])'", help: path)
  }
  for (position, spec) in declared.enumerated() where position < given.count {
    if let choices = spec.choices, !choices.contains(given[position]) {
      throw .usage(
        "expected \(choices.joined(separator: " or ")), got '\(given[position])'", help: path)
    }
  }
}

// MARK: - Help

/// The help text of `command`, generated from its declaration.
func helpText(for command: Command, path: String) -> String {
  var lines: [String] = []
  if command.subcommands.isEmpty {
    // Word choices (`encrypt|decrypt`) read as part of the command, so they come first, then
    // the options, then free arguments: `hmac sha224|sha256 --key-hex HEX [FILE]`.
    let choices = command.positionals.filter { $0.choices != nil }.map(\.synopsis)
    let others = command.positionals.filter { $0.choices == nil }.map(\.synopsis)
    let words = [path] + choices + command.options.map(\.synopsis) + others
    lines.append("usage: " + words.joined(separator: " "))
  } else {
    lines.append("usage: \(path) <subcommand> ...")
  }
  lines.append("")
  lines.append(command.summary)

  if !command.subcommands.isEmpty {
    lines.append("")
    lines.append("subcommands:")
    let width = command.subcommands.map(\.name.count).max() ?? 0
    for subcommand in command.subcommands {
      lines.append("  " + padded(subcommand.name, to: width) + "  " + subcommand.summary)
    }
  }

  let options =
    command.options + [.flag("--help", "show this help (also -h)")]
  lines.append("")
  lines.append("options:")
  let spellings = options.map(\.spelling)
  let width = spellings.map(\.count).max() ?? 0
  for (spelling, option) in zip(spellings, options) {
    lines.append("  " + padded(spelling, to: width) + "  " + option.help)
  }

  if !command.details.isEmpty {
    lines.append("")
    lines.append(command.details)
  }
  if !command.subcommands.isEmpty {
    lines.append("")
    lines.append("Run '\(path) <subcommand> --help' for the usage of a subcommand.")
  }
  return lines.joined(separator: "\n") + "\n"
}

/// `text` followed by spaces up to `width` characters.
private func padded(_ text: String, to width: Int) -> String {
  text + String(repeating: " ", count: max(0, width - text.count))
}
