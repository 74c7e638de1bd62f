// The C# compiler emits Interlocked.CompareExchange for events. A module runs on one thread,
// so these are plain reads and writes. There is no Thread, Monitor or Task: using threads is
// a build error (docs/modules-csharp.md).

namespace System.Threading
{
    public static class Interlocked
    {
        public static T CompareExchange<T>(ref T location, T value, T comparand) where T : class
        {
            T original = location;
            if ((object)original == (object)comparand) location = value;
            return original;
        }

        public static int CompareExchange(ref int location, int value, int comparand)
        {
            int original = location;
            if (original == comparand) location = value;
            return original;
        }

        public static int Increment(ref int location) { return ++location; }
        public static long Increment(ref long location) { return ++location; }
        public static int Decrement(ref int location) { return --location; }
        public static int Exchange(ref int location, int value) { int o = location; location = value; return o; }
        public static int Add(ref int location, int value) { location += value; return location; }
    }
}
