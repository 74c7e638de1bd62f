// Console output: natively (the snippet tests) it goes to stdout; inside a module it becomes
// an info line of the module's log.
using System.Runtime.CompilerServices;

namespace System
{
    public static class Console
    {
        [MethodImpl(MethodImplOptions.InternalCall)]
        static extern void InternalWrite(string s, bool newline);

        public static void Write(string s) { InternalWrite(s ?? "", false); }
        public static void Write(object o) { Write(o == null ? "" : o.ToString()); }
        public static void Write(int v) { Write(v.ToString()); }
        public static void Write(char c) { Write(c.ToString()); }
        public static void WriteLine() { InternalWrite("", true); }
        public static void WriteLine(string s) { InternalWrite(s ?? "", true); }
        public static void WriteLine(object o) { WriteLine(o == null ? "" : o.ToString()); }
        public static void WriteLine(bool v) { WriteLine(v ? "True" : "False"); }
        public static void WriteLine(char v) { WriteLine(v.ToString()); }
        public static void WriteLine(int v) { WriteLine(v.ToString()); }
        public static void WriteLine(uint v) { WriteLine(v.ToString()); }
        public static void WriteLine(long v) { WriteLine(v.ToString()); }
        public static void WriteLine(ulong v) { WriteLine(v.ToString()); }
        public static void WriteLine(float v) { WriteLine(v.ToString()); }
        public static void WriteLine(double v) { WriteLine(v.ToString()); }
        public static void WriteLine(string format, object arg0) { WriteLine(Formatter.Format(format, new object[] { arg0 })); }
        public static void WriteLine(string format, object arg0, object arg1) { WriteLine(Formatter.Format(format, new object[] { arg0, arg1 })); }
        public static void WriteLine(string format, object arg0, object arg1, object arg2) { WriteLine(Formatter.Format(format, new object[] { arg0, arg1, arg2 })); }
        public static void WriteLine(string format, params object[] args) { WriteLine(Formatter.Format(format, args)); }
    }
}
