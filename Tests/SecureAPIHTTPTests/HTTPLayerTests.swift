// HTTPLayerTests.swift: the parent suite of the HTTP tests. They run one at a time: each one
// starts servers and seals 16-layer tokens, and on a small machine running them all at once
// could push a request past the protocol's 5-second window.
// SPDX-License-Identifier: Apache-2.0

import Testing

/// Every HTTP-layer suite nests here, serialized and time-limited.
@Suite(.serialized, .timeLimit(.minutes(3))) enum HTTPLayerTests {}
