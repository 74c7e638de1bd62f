// Math: the C library's functions (libm; wasi-libc's in a module), the rest in C#.
using System.Runtime.CompilerServices;

namespace System
{
    public enum MidpointRounding { ToEven = 0, AwayFromZero = 1 }

    public static class Math
    {
        public const double PI = 3.14159265358979323846;
        public const double E = 2.7182818284590452354;

        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Sqrt(double d);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Sin(double a);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Cos(double a);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Tan(double a);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Asin(double d);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Acos(double d);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Atan(double d);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Atan2(double y, double x);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Pow(double x, double y);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Exp(double d);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Log(double d);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Log10(double d);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Floor(double d);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Ceiling(double a);
        /// Rounds half to even, as `Math.Round(double)` does.
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Round(double a);
        [MethodImpl(MethodImplOptions.InternalCall)] public static extern double Truncate(double d);

        public static double Round(double value, MidpointRounding mode)
        {
            if (mode == MidpointRounding.ToEven) return Round(value);
            return value < 0 ? -Floor(-value + 0.5) : Floor(value + 0.5);
        }

        public static double Round(double value, int digits)
        {
            double scale = Pow(10, digits);
            return Round(value * scale) / scale;
        }

        public static double Log(double a, double newBase) { return Log(a) / Log(newBase); }

        public static int Abs(int v) { if (v == int.MinValue) throw new OverflowException("Negating the minimum value of a twos complement number is invalid."); return v < 0 ? -v : v; }
        public static long Abs(long v) { if (v == long.MinValue) throw new OverflowException("Negating the minimum value of a twos complement number is invalid."); return v < 0 ? -v : v; }
        public static float Abs(float v) { return v < 0 ? -v : v; }
        public static double Abs(double v) { return v < 0 ? -v : v; }

        public static int Min(int a, int b) { return a < b ? a : b; }
        public static uint Min(uint a, uint b) { return a < b ? a : b; }
        public static long Min(long a, long b) { return a < b ? a : b; }
        public static ulong Min(ulong a, ulong b) { return a < b ? a : b; }
        public static float Min(float a, float b) { return a < b || float.IsNaN(a) ? a : b; }
        public static double Min(double a, double b) { return a < b || double.IsNaN(a) ? a : b; }
        public static int Max(int a, int b) { return a > b ? a : b; }
        public static uint Max(uint a, uint b) { return a > b ? a : b; }
        public static long Max(long a, long b) { return a > b ? a : b; }
        public static ulong Max(ulong a, ulong b) { return a > b ? a : b; }
        public static float Max(float a, float b) { return a > b || float.IsNaN(a) ? a : b; }
        public static double Max(double a, double b) { return a > b || double.IsNaN(a) ? a : b; }

        public static int Sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }
        public static int Sign(long v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }
        public static int Sign(double v)
        {
            if (double.IsNaN(v)) throw new ArithmeticException("Function does not accept floating point Not-a-Number values.");
            return v < 0 ? -1 : v > 0 ? 1 : 0;
        }

        public static int Clamp(int v, int min, int max) { return v < min ? min : v > max ? max : v; }
        public static long Clamp(long v, long min, long max) { return v < min ? min : v > max ? max : v; }
        public static float Clamp(float v, float min, float max) { return v < min ? min : v > max ? max : v; }
        public static double Clamp(double v, double min, double max) { return v < min ? min : v > max ? max : v; }

        public static long BigMul(int a, int b) { return (long)a * b; }
        public static int DivRem(int a, int b, out int result) { result = a % b; return a / b; }
    }

    public static class MathF
    {
        public const float PI = 3.14159265f;
        public static float Sqrt(float x) { return (float)Math.Sqrt(x); }
        public static float Abs(float x) { return x < 0 ? -x : x; }
        public static float Min(float a, float b) { return Math.Min(a, b); }
        public static float Max(float a, float b) { return Math.Max(a, b); }
        public static float Floor(float x) { return (float)Math.Floor(x); }
        public static float Sin(float x) { return (float)Math.Sin(x); }
        public static float Cos(float x) { return (float)Math.Cos(x); }
        public static float Atan2(float y, float x) { return (float)Math.Atan2(y, x); }
    }
}
