using System.Numerics;
using System.Runtime.CompilerServices;

namespace MMInterleaved.Ops;

/// <summary>
/// CPU kernel of the deformable-attention core, forward and backward, the same arithmetic as the reference's CUDA
/// kernel (ms_deform_attn_im2col_bilinear and its col2im backward): for each (batch, query, head), Σ over levels
/// and points of weight × bilinear sample, pixel-centre convention, zero padding, a sample skipped when its
/// coordinate is ≤ −1 or ≥ size.
/// <para>
/// Why a kernel: grid_sample reads its input channels-first, so each bilinear tap gathers D values H·W apart, and a
/// deformable core built from it spends most of its time on cache misses (at the paper's decoder shape it took about
/// 60% of MMFS's forward time for 1% of its arithmetic). Here value keeps the reference's [N,S,M,D] layout, so each
/// tap reads D contiguous values with SIMD. Work is split over (batch, head) pairs, so each worker owns its output
/// rows and its gradient rows for value (no atomics), and runs level by level so that one head's map of one level
/// stays in cache while every query samples it.
/// </para>
/// </summary>
internal static unsafe class DeformableSamplingKernel
{
    /// <summary>Sizes of one call: value [N,S,M,D]; locations [N,Q,M,L,P,2]; weights [N,Q,M,L,P].</summary>
    internal sealed record Geometry(int N, long S, int M, int D, long Q, int L, int P, long[] H, long[] W, long[] Start);

    public static void Forward<T>(Geometry g, T* value, T* loc, T* attn, T* output, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ForEachHead(g, threads, (n, m) =>
        {
            // level-outer order: one head's map of one level (H·W·D values) stays in cache for every query
            for (int l = 0; l < g.L; l++)
            {
                long h = g.H[l], w = g.W[l];
                T* levelBase = value + ((n * g.S + g.Start[l]) * g.M + m) * g.D;
                for (long q = 0; q < g.Q; q++)
                {
                    long item = (n * g.Q + q) * g.M + m;
                    T* outRow = output + item * g.D;
                    long idx = (item * g.L + l) * g.P;
                    for (int p = 0; p < g.P; p++, idx++)
                    {
                        if (!Locate(loc, idx, h, w, out long x0, out long y0, out double fx, out double fy)) continue;
                        double a = double.CreateTruncating(attn[idx]);
                        for (int corner = 0; corner < 4; corner++)
                        {
                            long cy = y0 + (corner >> 1), cx = x0 + (corner & 1);
                            if (cy < 0 || cx < 0 || cy >= h || cx >= w) continue;
                            double wk = ((corner >> 1) == 1 ? fy : 1 - fy) * ((corner & 1) == 1 ? fx : 1 - fx);
                            Axpy(outRow, levelBase + (cy * w + cx) * g.M * g.D, T.CreateTruncating(a * wk), g.D);
                        }
                    }
                }
            }
        });
    }

    public static void Backward<T>(Geometry g, T* value, T* loc, T* attn, T* gradOutput, T* gradValue, T* gradLoc, T* gradAttn, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ForEachHead(g, threads, (n, m) =>
        {
            for (int l = 0; l < g.L; l++)
            {
                long h = g.H[l], w = g.W[l];
                long levelOffset = ((n * g.S + g.Start[l]) * g.M + m) * g.D;
                for (long q = 0; q < g.Q; q++)
                {
                    long item = (n * g.Q + q) * g.M + m;
                    T* gRow = gradOutput + item * g.D;
                    long idx = (item * g.L + l) * g.P;
                    for (int p = 0; p < g.P; p++, idx++)
                    {
                        if (!Locate(loc, idx, h, w, out long x0, out long y0, out double fx, out double fy)) continue; // gradients stay zero
                        double a = double.CreateTruncating(attn[idx]), gw = 0, gx = 0, gy = 0;
                        for (int corner = 0; corner < 4; corner++)
                        {
                            long cy = y0 + (corner >> 1), cx = x0 + (corner & 1);
                            if (cy < 0 || cx < 0 || cy >= h || cx >= w) continue;
                            bool bottom = (corner >> 1) == 1, right = (corner & 1) == 1;
                            double wy = bottom ? fy : 1 - fy, wx = right ? fx : 1 - fx;
                            long offset = levelOffset + (cy * w + cx) * g.M * g.D;
                            double dot = Dot(value + offset, gRow, g.D);
                            gw += wy * wx * dot;
                            gx += (right ? wy : -wy) * dot;
                            gy += (bottom ? wx : -wx) * dot;
                            Axpy(gradValue + offset, gRow, T.CreateTruncating(a * wy * wx), g.D);
                        }
                        gradAttn[idx] = T.CreateTruncating(gw);
                        gradLoc[2 * idx] = T.CreateTruncating(a * gx * w);
                        gradLoc[2 * idx + 1] = T.CreateTruncating(a * gy * h);
                    }
                }
            }
        });
    }

    // Every (image n, head m) pair is independent (its own output rows and, backward, its own gradient slices), so
    // threads split the pairs into contiguous runs: no locks, and results that do not depend on the thread count.
    private static void ForEachHead(Geometry g, int threads, Action<long, int> body)
    {
        long pairs = (long)g.N * g.M;
        int workers = (int)Math.Clamp(threads, 1, Math.Max(1, pairs));
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            long begin = pairs * worker / workers, end = pairs * (worker + 1) / workers;
            for (long pair = begin; pair < end; pair++) body(pair / g.M, (int)(pair % g.M));
        });
    }

    // Pixel coordinates of sample idx on an h×w map (pixel-centre convention): the top-left neighbour (x0, y0) and the
    // fractions (fx, fy); false when the sample lies wholly outside (coordinate ≤ −1 or ≥ size), as the CUDA kernel skips it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Locate<T>(T* loc, long idx, long h, long w, out long x0, out long y0, out double fx, out double fy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double x = double.CreateTruncating(loc[2 * idx]) * w - 0.5;
        double y = double.CreateTruncating(loc[2 * idx + 1]) * h - 0.5;
        x0 = (long)Math.Floor(x);
        y0 = (long)Math.Floor(y);
        fx = x - x0;
        fy = y - y0;
        return x > -1 && y > -1 && x < w && y < h;
    }

    // y += alpha·x over n contiguous values
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy<T>(T* y, T* x, T alpha, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var va = new Vector<T>(alpha);
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                Unsafe.WriteUnaligned(y + i, Unsafe.ReadUnaligned<Vector<T>>(y + i) + va * Unsafe.ReadUnaligned<Vector<T>>(x + i));
        }
        for (; i < n; i++) y[i] += alpha * x[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot<T>(T* x, T* y, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T sum = T.Zero;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var acc = Vector<T>.Zero;
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                acc += Unsafe.ReadUnaligned<Vector<T>>(x + i) * Unsafe.ReadUnaligned<Vector<T>>(y + i);
            sum = Vector.Sum(acc);
        }
        for (; i < n; i++) sum += x[i] * y[i];
        return double.CreateTruncating(sum);
    }
}
