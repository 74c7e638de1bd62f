// A growable character buffer.

namespace System.Text
{
    public sealed class StringBuilder
    {
        char[] chars;
        int length;

        public StringBuilder() { chars = new char[16]; }
        public StringBuilder(int capacity) { chars = new char[capacity < 1 ? 1 : capacity]; }
        public StringBuilder(string value) : this(value == null ? 16 : value.Length + 16) { Append(value); }

        public int Length
        {
            get { return length; }
            set
            {
                if (value < 0) throw new ArgumentOutOfRangeException("value");
                Reserve(value);
                for (int i = length; i < value; i++) chars[i] = '\0';
                length = value;
            }
        }

        public char this[int index]
        {
            get
            {
                if (index < 0 || index >= length) throw new IndexOutOfRangeException();
                return chars[index];
            }
            set
            {
                if (index < 0 || index >= length) throw new IndexOutOfRangeException();
                chars[index] = value;
            }
        }

        void Reserve(int total)
        {
            if (total <= chars.Length) return;
            int capacity = chars.Length * 2;
            if (capacity < total) capacity = total;
            char[] grown = new char[capacity];
            Array.Copy(chars, grown, length);
            chars = grown;
        }

        public StringBuilder Append(char c)
        {
            Reserve(length + 1);
            chars[length++] = c;
            return this;
        }

        public StringBuilder Append(char c, int repeatCount)
        {
            Reserve(length + repeatCount);
            for (int i = 0; i < repeatCount; i++) chars[length++] = c;
            return this;
        }

        public StringBuilder Append(string s)
        {
            if (s == null) return this;
            Reserve(length + s.Length);
            for (int i = 0; i < s.Length; i++) chars[length + i] = s[i];
            length += s.Length;
            return this;
        }

        public StringBuilder Append(object o) { return o == null ? this : Append(o.ToString()); }
        public StringBuilder Append(int v) { return Append(v.ToString()); }
        public StringBuilder Append(long v) { return Append(v.ToString()); }
        public StringBuilder Append(uint v) { return Append(v.ToString()); }
        public StringBuilder Append(ulong v) { return Append(v.ToString()); }
        public StringBuilder Append(double v) { return Append(v.ToString()); }
        public StringBuilder Append(float v) { return Append(v.ToString()); }
        public StringBuilder Append(bool v) { return Append(v ? "True" : "False"); }
        public StringBuilder AppendLine() { return Append('\n'); }
        public StringBuilder AppendLine(string s) { Append(s); return Append('\n'); }

        public StringBuilder AppendFormat(string format, params object[] args) { return Append(Formatter.Format(format, args)); }
        public StringBuilder AppendFormat(string format, object arg0) { return Append(Formatter.Format(format, new object[] { arg0 })); }
        public StringBuilder AppendFormat(string format, object arg0, object arg1) { return Append(Formatter.Format(format, new object[] { arg0, arg1 })); }

        public StringBuilder Insert(int index, string s)
        {
            if (index < 0 || index > length) throw new ArgumentOutOfRangeException("index");
            if (s == null) return this;
            Reserve(length + s.Length);
            for (int i = length - 1; i >= index; i--) chars[i + s.Length] = chars[i];
            for (int i = 0; i < s.Length; i++) chars[index + i] = s[i];
            length += s.Length;
            return this;
        }

        public StringBuilder Remove(int startIndex, int count)
        {
            if (startIndex < 0 || count < 0 || startIndex + count > length) throw new ArgumentOutOfRangeException("startIndex");
            for (int i = startIndex + count; i < length; i++) chars[i - count] = chars[i];
            length -= count;
            return this;
        }

        public StringBuilder Clear() { length = 0; return this; }

        public override string ToString() { return new string(chars, 0, length); }
    }
}
