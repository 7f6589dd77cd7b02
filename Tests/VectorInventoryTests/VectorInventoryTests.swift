// VectorInventoryTests.swift: the catalog and the files under Vectors/ match both ways, every
// file yields exactly the cases it holds, and every file's origin is recorded.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import _TestSupport

/// Every vector file on disk, relative to `Vectors/` (the provenance README excluded).
private func filesOnDisk() throws -> Set<String> {
  let root = VectorFile.directory
  guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
  else { return [] }
  var paths: Set<String> = []
  for case let url as URL in walker where !url.hasDirectoryPath {
    let relative = String(
      url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
    if relative != "README.md" { paths.insert(relative) }
  }
  return paths
}

@Suite struct VectorInventoryTests {
  @Test func catalogMatchesDisk() throws {
    let catalogued = Set(VectorCatalog.all.map(\.file.relativePath))
    let onDisk = try filesOnDisk()
    #expect(catalogued.subtracting(onDisk).isEmpty, "catalogued but missing on disk")
    #expect(onDisk.subtracting(catalogued).isEmpty, "on disk but not in the catalog")
    #expect(catalogued.count == VectorCatalog.all.count, "a file is catalogued twice")
  }

  @Test(arguments: VectorCatalog.all.map(\.file))
  func everyCaseIsParsed(_ file: VectorFile) throws {
    let entry = try #require(VectorCatalog.all.first { $0.file == file })
    let declared = try entry.declaredCaseCount()
    let parsed =
      entry.caseMarker == nil
      ? try JSONVectors.fernetCases(entry).count : try entry.records().count
    #expect(declared > 0)
    #expect(parsed == declared, "\(file): parsed \(parsed) of \(declared) cases")
  }

  @Test(arguments: VectorCatalog.all.map(\.file))
  func provenanceIsRecorded(_ file: VectorFile) throws {
    let readme = try String(
      contentsOf: VectorFile.directory.appendingPathComponent("README.md"), encoding: .utf8)
    #expect(readme.contains(file.relativePath), "Vectors/README.md does not mention \(file)")
  }

  @Test func stemsFollowTheNamingRule() {
    for entry in VectorCatalog.all {
      let stem = entry.file.stem
      #expect(stem == stem.lowercased() && !stem.contains("_"), "\(stem)")
      #expect(!entry.file.testFunctionName.contains("-"))
    }
  }
}
