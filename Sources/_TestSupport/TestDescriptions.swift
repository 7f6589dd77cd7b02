// TestDescriptions.swift: short labels for vector cases in Swift Testing's output, and the
// vector-file module re-exported so every test target sees it through `_TestSupport`.
// SPDX-License-Identifier: Apache-2.0

import Testing
@_exported import VectorFiles

extension RSPRecord: CustomTestStringConvertible {
  /// The record's label in test output.
  public var testDescription: String { label }
}

extension FernetVector: CustomTestStringConvertible {
  /// The case's label in test output.
  public var testDescription: String { label }
}
