// swift-tools-version: 6.2
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

// MARK: - Settings

/// Settings shared by every module of the crypto core: Swift 6 mode and strict memory safety,
/// so each `unsafe` operation is visible and justified where it stands.
let coreSettings: [SwiftSetting] = [
  .strictMemorySafety()
]

// MARK: - Package

let package = Package(
  name: "SecureAPI",
  platforms: [.macOS(.v26)],
  products: [
    .library(name: "CryptoSupport", targets: ["CryptoSupport"]),
    .library(name: "SHA2", targets: ["SHA2"]),
    .library(name: "MessageAuthentication", targets: ["MessageAuthentication"]),
    .library(name: "BlockCiphers", targets: ["BlockCiphers"]),
    .library(name: "Encodings", targets: ["Encodings"]),
    .library(name: "Fernet", targets: ["Fernet"]),
    .library(name: "SecureAPI", targets: ["SecureAPI"]),
    .library(name: "HostSystem", targets: ["HostSystem"]),
    .library(name: "SecureAPIHTTP", targets: ["SecureAPIHTTP"]),
    .executable(name: "secure-api", targets: ["secure-api"]),
    .executable(name: "secure-api-bench", targets: ["secure-api-bench"]),
  ],
  targets: [
    // MARK: Crypto core (standard library only; also built with Embedded Swift)
    .target(name: "CryptoSupport", swiftSettings: coreSettings),
    .target(name: "SHA2", dependencies: ["CryptoSupport"], swiftSettings: coreSettings),
    .target(
      name: "MessageAuthentication", dependencies: ["CryptoSupport", "SHA2"],
      swiftSettings: coreSettings),
    .target(name: "BlockCiphers", dependencies: ["CryptoSupport"], swiftSettings: coreSettings),
    .target(name: "Encodings", dependencies: ["CryptoSupport"], swiftSettings: coreSettings),
    .target(
      name: "Fernet",
      dependencies: [
        "CryptoSupport", "SHA2", "MessageAuthentication", "BlockCiphers", "Encodings",
      ],
      swiftSettings: coreSettings),

    // MARK: Secure API protocol (standard library only; also built with Embedded Swift)
    .target(
      name: "SecureAPI",
      dependencies: ["CryptoSupport", "SHA2", "MessageAuthentication", "Encodings", "Fernet"],
      swiftSettings: coreSettings),

    // MARK: Host layer (operating system clock and files)
    .target(name: "HostSystem", dependencies: ["Fernet", "SecureAPI"]),
    .target(name: "SecureAPIHTTP", dependencies: ["SecureAPI", "HostSystem"]),

    // MARK: Executables
    .executableTarget(
      name: "secure-api",
      dependencies: [
        "CryptoSupport", "SHA2", "MessageAuthentication", "BlockCiphers", "Encodings", "Fernet",
        "HostSystem", "VectorFiles", "SecureAPI", "SecureAPIHTTP",
      ]),

    .executableTarget(
      name: "secure-api-bench",
      dependencies: [
        "CryptoSupport", "SHA2", "MessageAuthentication", "BlockCiphers", "Encodings", "Fernet",
        "SecureAPI", "HostSystem",
      ],
      path: "Benchmarks/secure-api-bench",
      exclude: ["python"]),

    // MARK: Published vectors (host only: reads files with Foundation)
    .target(name: "VectorFiles"),

    // MARK: Tests
    .target(name: "_TestSupport", dependencies: ["SHA2", "VectorFiles"]),
    .testTarget(name: "CryptoSupportTests", dependencies: ["CryptoSupport", "_TestSupport"]),
    .testTarget(name: "SHA2Tests", dependencies: ["SHA2", "CryptoSupport", "_TestSupport"]),
    .testTarget(
      name: "MessageAuthenticationTests",
      dependencies: ["MessageAuthentication", "SHA2", "CryptoSupport", "_TestSupport"]),
    .testTarget(
      name: "BlockCiphersTests", dependencies: ["BlockCiphers", "CryptoSupport", "_TestSupport"]),
    .testTarget(name: "EncodingsTests", dependencies: ["Encodings", "_TestSupport"]),
    .testTarget(
      name: "FernetTests", dependencies: ["Fernet", "Encodings", "HostSystem", "_TestSupport"]),
    .testTarget(
      name: "InteropTests",
      dependencies: [
        "SHA2", "MessageAuthentication", "BlockCiphers", "Encodings", "Fernet", "_TestSupport",
      ],
      exclude: ["crypto_reference.py"]),
    .testTarget(
      name: "SecureAPITests",
      dependencies: ["SecureAPI", "Fernet", "Encodings", "SHA2", "HostSystem", "_TestSupport"],
      exclude: ["Python"]),
    .testTarget(
      name: "SecureAPIHTTPTests",
      dependencies: ["SecureAPIHTTP", "SecureAPI", "HostSystem", "_TestSupport"]),
    .testTarget(name: "VectorInventoryTests", dependencies: ["_TestSupport"]),
    .testTarget(name: "CLITests", dependencies: ["secure-api", "VectorFiles", "_TestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
