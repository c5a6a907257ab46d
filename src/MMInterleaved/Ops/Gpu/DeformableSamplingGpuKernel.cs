using ILGPU;

namespace MMInterleaved.Ops.Gpu;

/// <summary>
/// The fused deformable-attention core as ILGPU kernels, forward and backward: one launch per call over every image,
/// level and point, with the reference CUDA kernel's arithmetic (ms_deform_attn_im2col_bilinear and its col2im backward:
/// pixel-centre bilinear sampling of [0,1] locations, zero padding, a sample skipped when a coordinate is ≤ −1 or ≥ size).
/// The same code runs as PTX on a CUDA accelerator and on ILGPU's CPU accelerator, where CI checks it against the CPU
/// kernel (<see cref="DeformableSamplingKernel"/>) and the reference fixtures.
/// <para>
/// Layout of the work: one warp per (image, query, head) item, its lanes over the head's D channels. Value keeps the
/// reference's [N,S,M,D] layout, so a warp reads each bilinear tap as D contiguous floats (coalesced). Backward, each lane
/// adds its channels' share of the value gradient atomically (two queries can sample the same pixel, as in the reference),
/// and the weight and location gradients, sums over the channels, are reduced across the warp with shuffles and written
/// once by lane 0: no atomics for them, unlike the reference's shared-memory or global-atomic variants.
/// </para>
/// </summary>
public static class DeformableSamplingGpuKernel
{
    /// <summary>Sizes of one call (value [N,S,M,D], locations [N,Q,M,L,P,2], weights [N,Q,M,L,P]); levels holds (H, W,
    /// start) per level.</summary>
    public readonly record struct Shape(int N, long S, int M, int D, long Q, int L, int P)
    {
        /// <summary>Warps needed: one per (image, query, head).</summary>
        public long Items => N * Q * M;
    }

    /// <summary>output[item, d] = Σ over levels and points of weight × bilinear sample (output zeroed or not: it is written).</summary>
    public static void Forward(ArrayView<float> value, ArrayView<float> loc, ArrayView<float> attn, ArrayView<long> levels,
        ArrayView<float> output, Shape s)
    {
        long item = ((long)Grid.IdxX * Group.DimX + Group.IdxX) / Warp.WarpSize;
        if (item >= s.Items) return;
        long n = item / (s.Q * s.M), m = item % s.M;
        for (int d = Warp.LaneIdx; d < s.D; d += Warp.WarpSize)
        {
            float acc = 0;
            for (int l = 0; l < s.L; l++)
            {
                long h = levels[3 * l], w = levels[3 * l + 1];
                long levelBase = ((n * s.S + levels[3 * l + 2]) * s.M + m) * s.D + d, pixel = s.M * s.D;
                for (int p = 0; p < s.P; p++)
                {
                    long idx = (item * s.L + l) * s.P + p;
                    float x = loc[2 * idx] * w - 0.5f, y = loc[2 * idx + 1] * h - 0.5f;
                    if (!(x > -1 && y > -1 && x < w && y < h)) continue;
                    long x0 = Floor(x), y0 = Floor(y);
                    float fx = x - x0, fy = y - y0, a = attn[idx];
                    for (int corner = 0; corner < 4; corner++)
                    {
                        long cy = y0 + (corner >> 1), cx = x0 + (corner & 1);
                        if (cy < 0 || cx < 0 || cy >= h || cx >= w) continue;
                        float wk = ((corner >> 1) == 1 ? fy : 1 - fy) * ((corner & 1) == 1 ? fx : 1 - fx);
                        acc += a * wk * value[levelBase + (cy * w + cx) * pixel];
                    }
                }
            }
            output[item * s.D + d] = acc;
        }
    }

    /// <summary>Gradients of <see cref="Forward"/>: gradValue accumulated (zero it first), gradLoc and gradAttn written
    /// (zero where a sample lies outside its map).</summary>
    public static void Backward(ArrayView<float> value, ArrayView<float> loc, ArrayView<float> attn, ArrayView<long> levels,
        ArrayView<float> gradOutput, ArrayView<float> gradValue, ArrayView<float> gradLoc, ArrayView<float> gradAttn, Shape s)
    {
        long item = ((long)Grid.IdxX * Group.DimX + Group.IdxX) / Warp.WarpSize;
        if (item >= s.Items) return; // a whole warp leaves together: its lanes share the item
        long n = item / (s.Q * s.M), m = item % s.M;
        int lane = Warp.LaneIdx;
        for (int l = 0; l < s.L; l++)
        {
            long h = levels[3 * l], w = levels[3 * l + 1];
            long levelBase = ((n * s.S + levels[3 * l + 2]) * s.M + m) * s.D, pixel = s.M * s.D;
            for (int p = 0; p < s.P; p++)
            {
                long idx = (item * s.L + l) * s.P + p;
                float x = loc[2 * idx] * w - 0.5f, y = loc[2 * idx + 1] * h - 0.5f;
                bool inside = x > -1 && y > -1 && x < w && y < h; // the same for every lane
                float gw = 0, gx = 0, gy = 0;
                if (inside)
                {
                    long x0 = Floor(x), y0 = Floor(y);
                    float fx = x - x0, fy = y - y0, a = attn[idx];
                    for (int d = lane; d < s.D; d += Warp.WarpSize)
                    {
                        float g = gradOutput[item * s.D + d];
                        for (int corner = 0; corner < 4; corner++)
                        {
                            long cy = y0 + (corner >> 1), cx = x0 + (corner & 1);
                            if (cy < 0 || cx < 0 || cy >= h || cx >= w) continue;
                            bool bottom = (corner >> 1) == 1, right = (corner & 1) == 1;
                            float wy = bottom ? fy : 1 - fy, wx = right ? fx : 1 - fx;
                            long at = levelBase + (cy * w + cx) * pixel + d;
                            float dot = value[at] * g;
                            gw += wy * wx * dot;
                            gx += (right ? wy : -wy) * dot;
                            gy += (bottom ? wx : -wx) * dot;
                            Atomic.Add(ref gradValue[at], a * wy * wx * g);
                        }
                    }
                    gx *= a * w;
                    gy *= a * h;
                }
                // every lane takes part in the shuffles, whatever its channels
                for (int offset = Warp.WarpSize / 2; offset > 0; offset /= 2)
                {
                    gw += Warp.ShuffleDown(gw, offset);
                    gx += Warp.ShuffleDown(gx, offset);
                    gy += Warp.ShuffleDown(gy, offset);
                }
                if (lane == 0)
                {
                    gradAttn[idx] = gw;
                    gradLoc[2 * idx] = gx;
                    gradLoc[2 * idx + 1] = gy;
                }
            }
        }
    }

    // floor of a coordinate > −1 (a cast truncates toward zero, so (−1, 0) needs the step down)
    private static long Floor(float v)
    {
        long t = (long)v;
        return t > v ? t - 1 : t;
    }
}
