// Floating-point literals and range checks, written so C reads back the exact value.
using System;
using System.Globalization;

namespace Lightcone.Translator
{
    public static class Floats
    {
        public static string Literal(double d)
        {
            if (double.IsNaN(d)) return "(0.0/0.0)";
            if (double.IsPositiveInfinity(d)) return "(1.0/0.0)";
            if (double.IsNegativeInfinity(d)) return "(-1.0/0.0)";
            if (d == 0 && 1 / d < 0) return "(-0.0)";
            return d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e") + (d.ToString("R", CultureInfo.InvariantCulture).Contains(".") || d.ToString("R", CultureInfo.InvariantCulture).Contains("E") ? "" : ".0");
        }

        public static string Literal(float f)
        {
            // A float constant is a double on the stack: the exact float value.
            return "(double)" + Literal((double)f) + (float.IsNaN(f) || float.IsInfinity(f) ? "" : "");
        }

        /// A C condition true when `v` (of C type `wide`) is outside the range of `target`.
        public static string Range(string target, string wide, string v)
        {
            string lo, hi;
            switch (target)
            {
                case "int8_t": lo = "-128"; hi = "127"; break;
                case "int16_t": lo = "-32768"; hi = "32767"; break;
                case "int32_t": lo = "-2147483648.0"; hi = "2147483647"; break;
                case "uint8_t": lo = "0"; hi = "255"; break;
                case "uint16_t": lo = "0"; hi = "65535"; break;
                case "uint32_t": lo = "0"; hi = "4294967295.0"; break;
                case "int64_t": lo = "-9223372036854775808.0"; hi = "9223372036854775807.0"; break;
                case "uint64_t": lo = "0"; hi = "18446744073709551615.0"; break;
                case "intptr_t": return Range(IntPtr.Size == 8 ? "int64_t" : "int32_t", wide, v) + " || (sizeof(intptr_t) == 4 && (" + Range("int32_t", wide, v) + "))";
                case "uintptr_t": return Range("uint64_t", wide, v) + " || (sizeof(uintptr_t) == 4 && (" + Range("uint32_t", wide, v) + "))";
                default: throw new BuildError("no range for " + target);
            }
            if (wide == "double")
            {
                // NaN is out of every range; the upper bounds of 64-bit types are exclusive.
                string upper = target.EndsWith("64_t") ? v + " >= " + hi : v + " > " + hi;
                return "!(" + v + " == " + v + ") || " + v + " < " + lo + " || " + upper;
            }
            if (wide == "uint64_t")
            {
                if (target == "uint64_t") return "0";
                return v + " > (uint64_t)" + hi.Replace(".0", "") + "ULL";
            }
            // int64_t source
            if (target == "uint64_t") return v + " < 0";
            if (target == "int64_t") return "0";
            return v + " < (int64_t)" + lo.Replace(".0", "") + "LL || " + v + " > (int64_t)" + hi.Replace(".0", "") + "LL";
        }
    }
}
