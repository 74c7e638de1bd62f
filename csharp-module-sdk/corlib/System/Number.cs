// Number formatting and parsing as Mono prints them (invariant culture): integers in C#,
// floating point through the runtime (shortest "G15"/"G7" forms and fixed-point digits).
using System.Runtime.CompilerServices;

namespace System
{
    internal static class Number
    {
        /// `value` under `format` (null, "G", "D[n]", "X[n]"/"x[n]", "N[n]", "F[n]"); `bits` is
        /// the width of the original type (hex prints negative numbers in that width).
        internal static string FormatInt64(long value, string format, int bits)
        {
            char kind = format == null || format.Length == 0 ? 'G' : format[0];
            int digits = format != null && format.Length > 1 ? ParseDigits(format) : -1;
            switch (kind)
            {
                case 'X':
                case 'x':
                    ulong u = bits == 64 ? (ulong)value : ((ulong)value) & ((1UL << bits) - 1);
                    return Hex(u, kind == 'x', digits);
                default:
                    bool negative = value < 0;
                    ulong magnitude = negative ? (ulong)(-(value + 1)) + 1 : (ulong)value;
                    string s = FormatUnsigned(magnitude, kind, digits);
                    return negative ? string.Concat("-", s) : s;
            }
        }

        internal static string FormatUInt64(ulong value, string format)
        {
            char kind = format == null || format.Length == 0 ? 'G' : format[0];
            int digits = format != null && format.Length > 1 ? ParseDigits(format) : -1;
            if (kind == 'X' || kind == 'x') return Hex(value, kind == 'x', digits);
            return FormatUnsigned(value, kind, digits);
        }

        static int ParseDigits(string format)
        {
            int n = 0;
            for (int i = 1; i < format.Length; i++)
            {
                char c = format[i];
                if (c < '0' || c > '9') throw new FormatException("Format specifier was invalid.");
                n = n * 10 + (c - '0');
            }
            return n;
        }

        static string FormatUnsigned(ulong value, char kind, int digits)
        {
            switch (kind)
            {
                case 'G':
                case 'g':
                case 'D':
                case 'd':
                    string d = Decimal(value);
                    return digits > d.Length ? string.Concat(new string('0', digits - d.Length), d) : d;
                case 'N':
                case 'n':
                    return Grouped(Decimal(value), digits < 0 ? 2 : digits);
                case 'F':
                case 'f':
                    return digits == 0 ? Decimal(value) : string.Concat(Decimal(value), ".", new string('0', digits < 0 ? 2 : digits));
                default:
                    throw new FormatException("Format specifier was invalid.");
            }
        }

        internal static string Decimal(ulong value)
        {
            if (value == 0) return "0";
            char[] buffer = new char[20];
            int at = 20;
            while (value != 0)
            {
                buffer[--at] = (char)('0' + (int)(value % 10));
                value /= 10;
            }
            return new string(buffer, at, 20 - at);
        }

        static string Hex(ulong value, bool lower, int digits)
        {
            char[] buffer = new char[16];
            int at = 16;
            do
            {
                int nibble = (int)(value & 15);
                buffer[--at] = (char)(nibble < 10 ? '0' + nibble : (lower ? 'a' : 'A') + nibble - 10);
                value >>= 4;
            } while (value != 0);
            string s = new string(buffer, at, 16 - at);
            return digits > s.Length ? string.Concat(new string('0', digits - s.Length), s) : s;
        }

        /// Integer digits with `,` every three, then `decimals` zeros after a point.
        static string Grouped(string integer, int decimals)
        {
            var b = new System.Text.StringBuilder();
            for (int i = 0; i < integer.Length; i++)
            {
                if (i > 0 && (integer.Length - i) % 3 == 0) b.Append(',');
                b.Append(integer[i]);
            }
            if (decimals > 0)
            {
                b.Append('.');
                b.Append('0', decimals);
            }
            return b.ToString();
        }

        /// `value` under `format`: null/"G" (`precision` significant digits, 15 for double, 7
        /// for float, as Mono prints them), "R", "F[n]", "N[n]", "E[n]", "P[n]".
        internal static string FormatDouble(double value, string format, int precision)
        {
            char kind = format == null || format.Length == 0 ? 'G' : format[0];
            int digits = format != null && format.Length > 1 ? ParseDigits(format) : -1;
            switch (kind)
            {
                case 'G':
                case 'g':
                    return FormatDoubleRaw(value, 'G', digits <= 0 ? precision : digits);
                case 'R':
                case 'r':
                    return FormatDoubleRaw(value, 'R', 17);
                case 'F':
                case 'f':
                    return FormatDoubleRaw(value, 'F', digits < 0 ? 2 : digits);
                case 'E':
                case 'e':
                    return FormatDoubleRaw(value, kind, digits < 0 ? 6 : digits);
                case 'N':
                case 'n':
                    {
                        string f = FormatDoubleRaw(value, 'F', digits < 0 ? 2 : digits);
                        bool negative = f.Length > 0 && f[0] == '-';
                        if (negative) f = f.Substring(1);
                        int point = f.IndexOf('.');
                        string integer = point < 0 ? f : f.Substring(0, point);
                        string grouped = Grouped(integer, 0);
                        string result = point < 0 ? grouped : string.Concat(grouped, f.Substring(point));
                        return negative ? string.Concat("-", result) : result;
                    }
                case 'P':
                case 'p':
                    return string.Concat(FormatDouble(value * 100, string.Concat("N", (digits < 0 ? 2 : digits).ToString()), precision), " %");
                default:
                    throw new FormatException("Format specifier was invalid.");
            }
        }

        [MethodImpl(MethodImplOptions.InternalCall)]
        static extern string FormatDoubleRaw(double value, char kind, int digits);

        internal static long ParseInt64(string s, long min, long max)
        {
            if (s == null) throw new ArgumentNullException("s");
            s = s.Trim();
            int i = 0;
            bool negative = false;
            if (i < s.Length && (s[i] == '-' || s[i] == '+')) { negative = s[i] == '-'; i++; }
            if (i == s.Length) throw new FormatException("Input string was not in a correct format.");
            long value = 0;
            for (; i < s.Length; i++)
            {
                char c = s[i];
                if (c < '0' || c > '9') throw new FormatException("Input string was not in a correct format.");
                value = value * 10 + (c - '0');
                if (value < 0) throw new OverflowException("Value was either too large or too small.");
            }
            if (negative) value = -value;
            if (value < min || value > max) throw new OverflowException("Value was either too large or too small.");
            return value;
        }

        internal static ulong ParseUInt64(string s, ulong min, ulong max)
        {
            long v = ParseInt64(s, 0, long.MaxValue);
            if ((ulong)v > max) throw new OverflowException("Value was either too large or too small.");
            return (ulong)v;
        }

        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern double ParseDouble(string s);
    }

    /// `string.Format`: `{index[,alignment][:format]}` items, `{{` and `}}` escapes.
    internal static class Formatter
    {
        internal static string Format(string format, object[] args)
        {
            if (format == null) throw new ArgumentNullException("format");
            var b = new System.Text.StringBuilder();
            int i = 0;
            while (i < format.Length)
            {
                char c = format[i];
                if (c == '{')
                {
                    if (i + 1 < format.Length && format[i + 1] == '{') { b.Append('{'); i += 2; continue; }
                    int close = format.IndexOf('}', i);
                    if (close < 0) throw new FormatException("Input string was not in a correct format.");
                    AppendItem(b, format.Substring(i + 1, close - i - 1), args);
                    i = close + 1;
                }
                else if (c == '}')
                {
                    if (i + 1 < format.Length && format[i + 1] == '}') { b.Append('}'); i += 2; continue; }
                    throw new FormatException("Input string was not in a correct format.");
                }
                else
                {
                    b.Append(c);
                    i++;
                }
            }
            return b.ToString();
        }

        static void AppendItem(System.Text.StringBuilder b, string item, object[] args)
        {
            int colon = item.IndexOf(':');
            string spec = colon < 0 ? null : item.Substring(colon + 1);
            string head = colon < 0 ? item : item.Substring(0, colon);
            int comma = head.IndexOf(',');
            int index = (int)Number.ParseInt64(comma < 0 ? head : head.Substring(0, comma), 0, int.MaxValue);
            int alignment = comma < 0 ? 0 : (int)Number.ParseInt64(head.Substring(comma + 1), int.MinValue, int.MaxValue);
            if (index >= args.Length) throw new FormatException("Index (zero based) must be greater than or equal to zero and less than the size of the argument list.");
            object arg = args[index];
            string text;
            if (arg == null) text = "";
            else if (spec != null && arg is IFormattable) text = ((IFormattable)arg).ToString(spec, null);
            else text = arg.ToString();
            if (alignment > 0) text = text.PadLeft(alignment);
            else if (alignment < 0) text = text.PadRight(-alignment);
            b.Append(text);
        }
    }
}
