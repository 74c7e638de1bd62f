// The primitive value types: comparisons, hashing, formatting (Number.cs does the digits).

namespace System
{
    public struct SByte : IComparable, IComparable<sbyte>, IEquatable<sbyte>, IFormattable
    {
        internal sbyte m_value;
        public const sbyte MaxValue = 127;
        public const sbyte MinValue = -128;
        public override string ToString() { return Number.FormatInt64(m_value, null, 8); }
        public string ToString(string format) { return Number.FormatInt64(m_value, format, 8); }
        public string ToString(string format, IFormatProvider provider) { return Number.FormatInt64(m_value, format, 8); }
        public override bool Equals(object obj) { return obj is sbyte && ((sbyte)obj) == m_value; }
        public bool Equals(sbyte other) { return m_value == other; }
        public override int GetHashCode() { return (int)m_value; }
        public int CompareTo(sbyte other) { return m_value < other ? -1 : m_value > other ? 1 : 0; }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((sbyte)obj); }
        public static sbyte Parse(string s) { return (sbyte)Number.ParseInt64(s, MinValue, MaxValue); }
    }

    public struct Byte : IComparable, IComparable<byte>, IEquatable<byte>, IFormattable
    {
        internal byte m_value;
        public const byte MaxValue = 255;
        public const byte MinValue = 0;
        public override string ToString() { return Number.FormatUInt64(m_value, null); }
        public string ToString(string format) { return Number.FormatUInt64(m_value, format); }
        public string ToString(string format, IFormatProvider provider) { return Number.FormatUInt64(m_value, format); }
        public override bool Equals(object obj) { return obj is byte && ((byte)obj) == m_value; }
        public bool Equals(byte other) { return m_value == other; }
        public override int GetHashCode() { return (int)m_value; }
        public int CompareTo(byte other) { return m_value < other ? -1 : m_value > other ? 1 : 0; }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((byte)obj); }
        public static byte Parse(string s) { return (byte)Number.ParseUInt64(s, MinValue, MaxValue); }
    }

    public struct Int16 : IComparable, IComparable<short>, IEquatable<short>, IFormattable
    {
        internal short m_value;
        public const short MaxValue = 32767;
        public const short MinValue = -32768;
        public override string ToString() { return Number.FormatInt64(m_value, null, 16); }
        public string ToString(string format) { return Number.FormatInt64(m_value, format, 16); }
        public string ToString(string format, IFormatProvider provider) { return Number.FormatInt64(m_value, format, 16); }
        public override bool Equals(object obj) { return obj is short && ((short)obj) == m_value; }
        public bool Equals(short other) { return m_value == other; }
        public override int GetHashCode() { return (int)m_value; }
        public int CompareTo(short other) { return m_value < other ? -1 : m_value > other ? 1 : 0; }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((short)obj); }
        public static short Parse(string s) { return (short)Number.ParseInt64(s, MinValue, MaxValue); }
    }

    public struct UInt16 : IComparable, IComparable<ushort>, IEquatable<ushort>, IFormattable
    {
        internal ushort m_value;
        public const ushort MaxValue = 65535;
        public const ushort MinValue = 0;
        public override string ToString() { return Number.FormatUInt64(m_value, null); }
        public string ToString(string format) { return Number.FormatUInt64(m_value, format); }
        public string ToString(string format, IFormatProvider provider) { return Number.FormatUInt64(m_value, format); }
        public override bool Equals(object obj) { return obj is ushort && ((ushort)obj) == m_value; }
        public bool Equals(ushort other) { return m_value == other; }
        public override int GetHashCode() { return (int)m_value; }
        public int CompareTo(ushort other) { return m_value < other ? -1 : m_value > other ? 1 : 0; }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((ushort)obj); }
        public static ushort Parse(string s) { return (ushort)Number.ParseUInt64(s, MinValue, MaxValue); }
    }

    public struct Int32 : IComparable, IComparable<int>, IEquatable<int>, IFormattable
    {
        internal int m_value;
        public const int MaxValue = 2147483647;
        public const int MinValue = -2147483648;
        public override string ToString() { return Number.FormatInt64(m_value, null, 32); }
        public string ToString(string format) { return Number.FormatInt64(m_value, format, 32); }
        public string ToString(string format, IFormatProvider provider) { return Number.FormatInt64(m_value, format, 32); }
        public override bool Equals(object obj) { return obj is int && ((int)obj) == m_value; }
        public bool Equals(int other) { return m_value == other; }
        public override int GetHashCode() { return (int)m_value; }
        public int CompareTo(int other) { return m_value < other ? -1 : m_value > other ? 1 : 0; }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((int)obj); }
        public static int Parse(string s) { return (int)Number.ParseInt64(s, MinValue, MaxValue); }
    }

    public struct UInt32 : IComparable, IComparable<uint>, IEquatable<uint>, IFormattable
    {
        internal uint m_value;
        public const uint MaxValue = 4294967295;
        public const uint MinValue = 0;
        public override string ToString() { return Number.FormatUInt64(m_value, null); }
        public string ToString(string format) { return Number.FormatUInt64(m_value, format); }
        public string ToString(string format, IFormatProvider provider) { return Number.FormatUInt64(m_value, format); }
        public override bool Equals(object obj) { return obj is uint && ((uint)obj) == m_value; }
        public bool Equals(uint other) { return m_value == other; }
        public override int GetHashCode() { return (int)m_value; }
        public int CompareTo(uint other) { return m_value < other ? -1 : m_value > other ? 1 : 0; }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((uint)obj); }
        public static uint Parse(string s) { return (uint)Number.ParseUInt64(s, MinValue, MaxValue); }
    }

    public struct Int64 : IComparable, IComparable<long>, IEquatable<long>, IFormattable
    {
        internal long m_value;
        public const long MaxValue = 9223372036854775807;
        public const long MinValue = -9223372036854775807L - 1;
        public override string ToString() { return Number.FormatInt64(m_value, null, 64); }
        public string ToString(string format) { return Number.FormatInt64(m_value, format, 64); }
        public string ToString(string format, IFormatProvider provider) { return Number.FormatInt64(m_value, format, 64); }
        public override bool Equals(object obj) { return obj is long && ((long)obj) == m_value; }
        public bool Equals(long other) { return m_value == other; }
        public override int GetHashCode() { return (int)m_value ^ (int)(m_value >> 32); }
        public int CompareTo(long other) { return m_value < other ? -1 : m_value > other ? 1 : 0; }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((long)obj); }
        public static long Parse(string s) { return (long)Number.ParseInt64(s, MinValue, MaxValue); }
    }

    public struct UInt64 : IComparable, IComparable<ulong>, IEquatable<ulong>, IFormattable
    {
        internal ulong m_value;
        public const ulong MaxValue = 18446744073709551615;
        public const ulong MinValue = 0;
        public override string ToString() { return Number.FormatUInt64(m_value, null); }
        public string ToString(string format) { return Number.FormatUInt64(m_value, format); }
        public string ToString(string format, IFormatProvider provider) { return Number.FormatUInt64(m_value, format); }
        public override bool Equals(object obj) { return obj is ulong && ((ulong)obj) == m_value; }
        public bool Equals(ulong other) { return m_value == other; }
        public override int GetHashCode() { return (int)m_value ^ (int)(m_value >> 32); }
        public int CompareTo(ulong other) { return m_value < other ? -1 : m_value > other ? 1 : 0; }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((ulong)obj); }
        public static ulong Parse(string s) { return (ulong)Number.ParseUInt64(s, MinValue, MaxValue); }
    }

    public struct Boolean : IComparable, IComparable<bool>, IEquatable<bool>
    {
        internal bool m_value;
        public static readonly string TrueString = "True";
        public static readonly string FalseString = "False";
        public override string ToString() { return m_value ? "True" : "False"; }
        public override bool Equals(object obj) { return obj is bool && ((bool)obj) == m_value; }
        public bool Equals(bool other) { return m_value == other; }
        public override int GetHashCode() { return m_value ? 1 : 0; }
        public int CompareTo(bool other) { return m_value == other ? 0 : m_value ? 1 : -1; }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((bool)obj); }
    }

    public struct Char : IComparable, IComparable<char>, IEquatable<char>
    {
        internal char m_value;
        public const char MaxValue = (char)0xFFFF;
        public const char MinValue = (char)0;
        public override string ToString() { return string.FromChar(m_value); }
        public override bool Equals(object obj) { return obj is char && ((char)obj) == m_value; }
        public bool Equals(char other) { return m_value == other; }
        public override int GetHashCode() { return (int)m_value | ((int)m_value << 16); }
        public int CompareTo(char other) { return m_value - other; }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((char)obj); }
        public static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
        public static bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c > 127 && !IsWhiteSpace(c)); }
        public static bool IsLetterOrDigit(char c) { return IsLetter(c) || IsDigit(c); }
        public static bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
        public static bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
        public static bool IsWhiteSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == '\u00a0' || c == '\u0085'; }
        public static char ToUpper(char c) { return IsLower(c) ? (char)(c - 32) : c; }
        public static char ToLower(char c) { return IsUpper(c) ? (char)(c + 32) : c; }
    }

    public struct Double : IComparable, IComparable<double>, IEquatable<double>, IFormattable
    {
        internal double m_value;
        public const double MaxValue = 1.7976931348623157E+308;
        public const double MinValue = -1.7976931348623157E+308;
        public const double Epsilon = 4.94065645841247E-324;
        public const double PositiveInfinity = 1.0 / 0.0;
        public const double NegativeInfinity = -1.0 / 0.0;
        public const double NaN = 0.0 / 0.0;
        public override string ToString() { return Number.FormatDouble(m_value, null, 15); }
        public string ToString(string format) { return Number.FormatDouble(m_value, format, 15); }
        public string ToString(string format, IFormatProvider provider) { return Number.FormatDouble(m_value, format, 15); }
        public static bool IsNaN(double d) { double e = d; return d != e; }
        public static bool IsInfinity(double d) { return d == PositiveInfinity || d == NegativeInfinity; }
        public static bool IsPositiveInfinity(double d) { return d == PositiveInfinity; }
        public static bool IsNegativeInfinity(double d) { return d == NegativeInfinity; }
        public override bool Equals(object obj) { return obj is double && Equals((double)obj); }
        public bool Equals(double other) { return m_value == other || (IsNaN(m_value) && IsNaN(other)); }
        public override int GetHashCode() { long bits = BitConverter.DoubleToInt64Bits(m_value); return (int)bits ^ (int)(bits >> 32); }
        public int CompareTo(double other)
        {
            if (m_value < other) return -1;
            if (m_value > other) return 1;
            if (m_value == other) return 0;
            return IsNaN(m_value) ? (IsNaN(other) ? 0 : -1) : 1;
        }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((double)obj); }
        public static double Parse(string s) { return Number.ParseDouble(s); }
    }

    public struct Single : IComparable, IComparable<float>, IEquatable<float>, IFormattable
    {
        internal float m_value;
        public const float MaxValue = 3.40282347E+38f;
        public const float MinValue = -3.40282347E+38f;
        public const float Epsilon = 1.401298E-45f;
        public const float PositiveInfinity = 1.0f / 0.0f;
        public const float NegativeInfinity = -1.0f / 0.0f;
        public const float NaN = 0.0f / 0.0f;
        public override string ToString() { return Number.FormatDouble(m_value, null, 7); }
        public string ToString(string format) { return Number.FormatDouble(m_value, format, 7); }
        public string ToString(string format, IFormatProvider provider) { return Number.FormatDouble(m_value, format, 7); }
        public static bool IsNaN(float f) { float g = f; return f != g; }
        public static bool IsInfinity(float f) { return f == PositiveInfinity || f == NegativeInfinity; }
        public override bool Equals(object obj) { return obj is float && Equals((float)obj); }
        public bool Equals(float other) { return m_value == other || (IsNaN(m_value) && IsNaN(other)); }
        public override int GetHashCode() { return BitConverter.SingleToInt32Bits(m_value); }
        public int CompareTo(float other) { return m_value < other ? -1 : m_value > other ? 1 : m_value == other ? 0 : IsNaN(m_value) ? (IsNaN(other) ? 0 : -1) : 1; }
        public int CompareTo(object obj) { return obj == null ? 1 : CompareTo((float)obj); }
        public static float Parse(string s) { return (float)Number.ParseDouble(s); }
    }

    public struct IntPtr
    {
        internal unsafe void* m_value;
        public static readonly IntPtr Zero;
        public static int Size { get { return sizeof(int); } }
    }

    public struct UIntPtr
    {
        internal unsafe void* m_value;
    }

    public static class BitConverter
    {
        public static readonly bool IsLittleEndian = true;
        public static unsafe long DoubleToInt64Bits(double value) { return *(long*)&value; }
        public static unsafe double Int64BitsToDouble(long value) { return *(double*)&value; }
        public static unsafe int SingleToInt32Bits(float value) { return *(int*)&value; }
        public static unsafe float Int32BitsToSingle(int value) { return *(float*)&value; }
    }
}

namespace System
{
    /// Declared because the C# compiler requires it; `decimal` arithmetic is not supported
    /// (the translator refuses methods that use it).
    public struct Decimal
    {
    }
}
