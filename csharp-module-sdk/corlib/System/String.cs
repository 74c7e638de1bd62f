// Strings: immutable UTF-16, laid out by the runtime as { header, int32 length, char[] }.
// Only allocation, length and character access are the runtime's; the rest is C#.
using System.Runtime.CompilerServices;
using System.Collections.Generic;

namespace System
{
    public sealed class String : IComparable, IComparable<string>, IEquatable<string>, IEnumerable<char>
    {
        public static readonly string Empty = "";

        public extern int Length
        {
            [MethodImpl(MethodImplOptions.InternalCall)]
            get;
        }

        [System.Runtime.CompilerServices.IndexerName("Chars")]
        public extern char this[int index]
        {
            [MethodImpl(MethodImplOptions.InternalCall)]
            get;
        }

        /// A new string of `length` characters, all zero, for corlib code to fill in.
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern string FastAllocateString(int length);

        /// Sets a character of a string this code just allocated (strings are immutable
        /// once handed out).
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal extern void InternalSetChar(int index, char c);

        /// Copies `count` characters of `source` from `sourceIndex` into this new string.
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal extern void InternalCopy(int index, string source, int sourceIndex, int count);

        internal static string FromChar(char c)
        {
            string s = FastAllocateString(1);
            s.InternalSetChar(0, c);
            return s;
        }

        public String(char c, int count) { }
        public String(char[] value) { }
        public String(char[] value, int startIndex, int length) { }

        // `new string(...)`: the C# compiler calls these constructors; the runtime turns
        // them into the Ctor methods below.
        internal static string Ctor(char c, int count)
        {
            string s = FastAllocateString(count);
            for (int i = 0; i < count; i++) s.InternalSetChar(i, c);
            return s;
        }

        internal static string Ctor(char[] value) { return Ctor(value, 0, value.Length); }

        internal static string Ctor(char[] value, int startIndex, int length)
        {
            string s = FastAllocateString(length);
            for (int i = 0; i < length; i++) s.InternalSetChar(i, value[startIndex + i]);
            return s;
        }

        public static bool IsNullOrEmpty(string value) { return value == null || value.Length == 0; }

        public static bool IsNullOrWhiteSpace(string value)
        {
            if (value == null) return true;
            for (int i = 0; i < value.Length; i++) if (!char.IsWhiteSpace(value[i])) return false;
            return true;
        }

        public static string Concat(string a, string b)
        {
            if (IsNullOrEmpty(a)) return b ?? Empty;
            if (IsNullOrEmpty(b)) return a;
            string s = FastAllocateString(a.Length + b.Length);
            s.InternalCopy(0, a, 0, a.Length);
            s.InternalCopy(a.Length, b, 0, b.Length);
            return s;
        }

        public static string Concat(string a, string b, string c) { return Concat(Concat(a, b), c); }
        public static string Concat(string a, string b, string c, string d) { return Concat(Concat(a, b), Concat(c, d)); }

        public static string Concat(params string[] values)
        {
            int length = 0;
            for (int i = 0; i < values.Length; i++) if (values[i] != null) length += values[i].Length;
            string s = FastAllocateString(length);
            int at = 0;
            for (int i = 0; i < values.Length; i++)
            {
                string v = values[i];
                if (v == null) continue;
                s.InternalCopy(at, v, 0, v.Length);
                at += v.Length;
            }
            return s;
        }

        public static string Concat(object a) { return a == null ? Empty : a.ToString(); }
        public static string Concat(object a, object b) { return Concat(Concat(a), Concat(b)); }
        public static string Concat(object a, object b, object c) { return Concat(Concat(a), Concat(b), Concat(c)); }

        public static string Concat(params object[] values)
        {
            string[] parts = new string[values.Length];
            for (int i = 0; i < values.Length; i++) parts[i] = Concat(values[i]);
            return Concat(parts);
        }

        public static string Format(string format, object arg0) { return Formatter.Format(format, new object[] { arg0 }); }
        public static string Format(string format, object arg0, object arg1) { return Formatter.Format(format, new object[] { arg0, arg1 }); }
        public static string Format(string format, object arg0, object arg1, object arg2) { return Formatter.Format(format, new object[] { arg0, arg1, arg2 }); }
        public static string Format(string format, params object[] args) { return Formatter.Format(format, args); }

        public static string Join(string separator, params string[] values)
        {
            var b = new System.Text.StringBuilder();
            for (int i = 0; i < values.Length; i++)
            {
                if (i > 0) b.Append(separator);
                b.Append(values[i]);
            }
            return b.ToString();
        }

        public static string Join<T>(string separator, IEnumerable<T> values)
        {
            var b = new System.Text.StringBuilder();
            bool first = true;
            foreach (T v in values)
            {
                if (!first) b.Append(separator);
                first = false;
                if (v != null) b.Append(v.ToString());
            }
            return b.ToString();
        }

        public static bool operator ==(string a, string b) { return Equals(a, b); }
        public static bool operator !=(string a, string b) { return !Equals(a, b); }

        public static bool Equals(string a, string b)
        {
            if (RuntimeHelpers.ReferenceEquals(a, b)) return true;
            if (a == null || b == null || a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }

        public override bool Equals(object obj) { return Equals(this, obj as string); }
        public bool Equals(string other) { return Equals(this, other); }

        public override int GetHashCode()
        {
            int h = 5381;
            for (int i = 0; i < Length; i++) h = ((h << 5) + h) ^ this[i];
            return h;
        }

        public override string ToString() { return this; }

        public static int CompareOrdinal(string a, string b)
        {
            if (RuntimeHelpers.ReferenceEquals(a, b)) return 0;
            if (a == null) return -1;
            if (b == null) return 1;
            int n = a.Length < b.Length ? a.Length : b.Length;
            for (int i = 0; i < n; i++) if (a[i] != b[i]) return a[i] - b[i];
            return a.Length - b.Length;
        }

        public static int Compare(string a, string b) { return CompareOrdinal(a, b); }
        public int CompareTo(string other) { return CompareOrdinal(this, other); }
        public int CompareTo(object obj) { return CompareOrdinal(this, obj as string); }

        public string Substring(int startIndex) { return Substring(startIndex, Length - startIndex); }

        public string Substring(int startIndex, int length)
        {
            if (startIndex < 0 || length < 0 || startIndex + length > Length)
                throw new ArgumentOutOfRangeException("startIndex", "Index and length must refer to a location within the string.");
            if (length == 0) return Empty;
            string s = FastAllocateString(length);
            s.InternalCopy(0, this, startIndex, length);
            return s;
        }

        public int IndexOf(char c) { return IndexOf(c, 0); }
        public int IndexOf(char c, int startIndex)
        {
            for (int i = startIndex; i < Length; i++) if (this[i] == c) return i;
            return -1;
        }

        public int IndexOf(string value) { return IndexOf(value, 0); }
        public int IndexOf(string value, int startIndex)
        {
            if (value == null) throw new ArgumentNullException("value");
            for (int i = startIndex; i + value.Length <= Length; i++)
            {
                int j = 0;
                while (j < value.Length && this[i + j] == value[j]) j++;
                if (j == value.Length) return i;
            }
            return -1;
        }

        public int LastIndexOf(char c)
        {
            for (int i = Length - 1; i >= 0; i--) if (this[i] == c) return i;
            return -1;
        }

        public bool Contains(string value) { return IndexOf(value) >= 0; }
        public bool StartsWith(string value) { return value.Length <= Length && IndexOf(value, 0) == 0; }
        public bool EndsWith(string value)
        {
            if (value.Length > Length) return false;
            for (int i = 0; i < value.Length; i++) if (this[Length - value.Length + i] != value[i]) return false;
            return true;
        }

        public string Replace(string oldValue, string newValue)
        {
            if (string.IsNullOrEmpty(oldValue)) throw new ArgumentException("String cannot be of zero length.", "oldValue");
            var b = new System.Text.StringBuilder();
            int at = 0;
            while (true)
            {
                int found = IndexOf(oldValue, at);
                if (found < 0) break;
                b.Append(Substring(at, found - at));
                b.Append(newValue);
                at = found + oldValue.Length;
            }
            b.Append(Substring(at));
            return b.ToString();
        }

        public string Replace(char oldChar, char newChar)
        {
            string s = FastAllocateString(Length);
            for (int i = 0; i < Length; i++) s.InternalSetChar(i, this[i] == oldChar ? newChar : this[i]);
            return s;
        }

        public string ToUpper()
        {
            string s = FastAllocateString(Length);
            for (int i = 0; i < Length; i++) s.InternalSetChar(i, char.ToUpper(this[i]));
            return s;
        }

        public string ToLower()
        {
            string s = FastAllocateString(Length);
            for (int i = 0; i < Length; i++) s.InternalSetChar(i, char.ToLower(this[i]));
            return s;
        }

        public string ToUpperInvariant() { return ToUpper(); }
        public string ToLowerInvariant() { return ToLower(); }

        public string Trim()
        {
            int start = 0, end = Length;
            while (start < end && char.IsWhiteSpace(this[start])) start++;
            while (end > start && char.IsWhiteSpace(this[end - 1])) end--;
            return Substring(start, end - start);
        }

        public string PadLeft(int totalWidth) { return PadLeft(totalWidth, ' '); }
        public string PadLeft(int totalWidth, char c) { return Length >= totalWidth ? this : Concat(new string(c, totalWidth - Length), this); }
        public string PadRight(int totalWidth) { return PadRight(totalWidth, ' '); }
        public string PadRight(int totalWidth, char c) { return Length >= totalWidth ? this : Concat(this, new string(c, totalWidth - Length)); }

        public string[] Split(params char[] separator)
        {
            var parts = new List<string>();
            int start = 0;
            for (int i = 0; i < Length; i++)
            {
                for (int k = 0; k < separator.Length; k++)
                {
                    if (this[i] == separator[k])
                    {
                        parts.Add(Substring(start, i - start));
                        start = i + 1;
                        break;
                    }
                }
            }
            parts.Add(Substring(start));
            return parts.ToArray();
        }

        public char[] ToCharArray()
        {
            char[] a = new char[Length];
            for (int i = 0; i < Length; i++) a[i] = this[i];
            return a;
        }

        public IEnumerator<char> GetEnumerator()
        {
            for (int i = 0; i < Length; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() { return GetEnumerator(); }
    }
}
