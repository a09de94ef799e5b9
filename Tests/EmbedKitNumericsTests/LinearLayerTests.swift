import EmbedKitCore
import EmbedKitNumerics
import Testing

/// `LinearWeights.apply` against a float64 reference, on every engine this machine can run (the AMX engines
/// only where the CPU has AMX; `amxEnginesRunWhereAvailable` says which ran), on shapes that are not multiples
/// of the 16/32/64 tile sizes, tiny and big.
@Suite struct LinearLayerTests {
    static let shapes: [(rows: Int, outputs: Int, inputs: Int)] = [
        (1, 1, 1), (1, 3, 5), (2, 17, 33), (15, 31, 47), (33, 45, 77), (37, 384, 384), (130, 1536, 384),
        (129, 384, 1536), (300, 64, 100),
    ]

    static var engines: [MatrixEngine] { MatrixEngine.allCases.filter(\.isAvailable) }

    struct Case {
        let x: [Float], w: [Float], bias: [Float]
        /// Reference product and Σ|x·w| per output (the scale of rounding error).
        let expected: [Double], magnitude: [Double]
    }

    func makeCase(rows: Int, outputs: Int, inputs: Int, ldx: Int) -> Case {
        var g = SplitMix64(seed: UInt64(rows * 1_000_003 + outputs * 1009 + inputs))
        let x = (0..<(rows * ldx)).map { _ in g.signedUniform() * 3 }
        let w = (0..<(outputs * inputs)).map { _ in g.signedUniform() * 0.2 }
        let bias = (0..<outputs).map { _ in g.signedUniform() }
        var expected = [Double](repeating: 0, count: rows * outputs), magnitude = expected
        for r in 0..<rows {
            for o in 0..<outputs {
                var sum = Double(bias[o]), size = abs(Double(bias[o]))
                for i in 0..<inputs {
                    let p = Double(x[r * ldx + i]) * Double(w[o * inputs + i])
                    sum += p
                    size += abs(p)
                }
                expected[r * outputs + o] = sum
                magnitude[r * outputs + o] = size
            }
        }
        return Case(x: x, w: w, bias: bias, expected: expected, magnitude: magnitude)
    }

    func run(_ c: Case, engine: MatrixEngine, rows: Int, outputs: Int, inputs: Int, ldx: Int, ldy: Int) -> [Float] {
        var y = [Float](repeating: .nan, count: rows * ldy)
        c.w.withUnsafeBufferPointer { w in
            let layer = LinearWeights(weight: w.baseAddress!, outputs: outputs, inputs: inputs, owner: nil, engine: engine)
            #expect(layer.engine == engine)
            let scratch = LinearScratch(inputs: inputs, outputs: outputs)
            c.x.withUnsafeBufferPointer { x in
                c.bias.withUnsafeBufferPointer { b in
                    y.withUnsafeMutableBufferPointer { out in
                        layer.apply(x.baseAddress!, rows: rows, ldx: ldx, bias: b.baseAddress!, into: out.baseAddress!,
                                    ldy: ldy, scratch: scratch)
                    }
                }
            }
        }
        return y
    }

    @Test(arguments: shapes)
    func matchesFloat64Reference(shape: (rows: Int, outputs: Int, inputs: Int)) {
        let (rows, outputs, inputs) = shape
        let c = makeCase(rows: rows, outputs: outputs, inputs: inputs, ldx: inputs)
        for engine in Self.engines {
            let y = run(c, engine: engine, rows: rows, outputs: outputs, inputs: inputs, ldx: inputs, ldy: outputs)
            var worst = 0.0
            for j in 0..<(rows * outputs) {
                worst = max(worst, abs(Double(y[j]) - c.expected[j]) / c.magnitude[j])
            }
            #expect(worst <= Self.bound(engine), "\(engine) \(shape): worst error \(worst) of Σ|x·w|")
        }
    }

    /// Worst error allowed, relative to Σ|x·w|. float32 (OpenBLAS, bf16x6): accumulation error ~1e-7 relative,
    /// measured ≤ 2e-7. bf16x3: each product to ~2⁻¹⁷ relative, measured ≤ 1.3e-6. int8: per-row activation
    /// steps of range/255 and per-channel weight steps of max/127, measured ≤ 1.6e-3 on uniform data.
    /// Anything wrong in packing is off by O(|x·w|).
    static func bound(_ engine: MatrixEngine) -> Double {
        switch engine {
        case .blas, .amxBF16x6: return 5e-7
        case .amxBF16x3: return 3e-5
        case .amxInt8: return 1e-2
        }
    }

    /// Row strides wider than the matrices: only the addressed columns are read and written.
    @Test func honoursRowStrides() {
        let rows = 21, outputs = 40, inputs = 50, ldx = 64, ldy = 48
        let c = makeCase(rows: rows, outputs: outputs, inputs: inputs, ldx: ldx)
        for engine in Self.engines {
            let y = run(c, engine: engine, rows: rows, outputs: outputs, inputs: inputs, ldx: ldx, ldy: ldy)
            for r in 0..<rows {
                for o in 0..<outputs {
                    let e = c.expected[r * outputs + o]
                    #expect(abs(Double(y[r * ldy + o]) - e) <= Self.bound(engine) * c.magnitude[r * outputs + o], "\(engine) (\(r), \(o))")
                }
                for o in outputs..<ldy { #expect(y[r * ldy + o].isNaN, "\(engine) wrote outside the row at (\(r), \(o))") }
            }
        }
    }

    /// On an AMX CPU every AMX engine is really used (no silent fall back to BLAS); elsewhere they fall back.
    @Test func amxEnginesRunWhereAvailable() {
        let w = [Float](repeating: 0.5, count: 64 * 64)
        for engine in [MatrixEngine.amxBF16x6, .amxBF16x3, .amxInt8] {
            let layer = w.withUnsafeBufferPointer { LinearWeights(weight: $0.baseAddress!, outputs: 64, inputs: 64, owner: nil, engine: engine) }
            #expect(layer.engine == (engine.isAvailable ? engine : .blas))
        }
        #expect(MatrixEngine.amxBF16x6.isAvailable == MatrixEngine.amxInt8.isAvailable)
    }

    /// The BLAS engine always runs; the preferred engine is one that runs here.
    @Test func enginesAreAvailable() {
        #expect(MatrixEngine.blas.isAvailable)
        #expect(MatrixEngine.preferred.isAvailable)
        #expect(Self.engines.contains(.blas))
    }
}
