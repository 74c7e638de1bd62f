// Delegates: a target and a function. `Invoke` and the constructor are provided by the
// translator for every delegate type; combining delegates (`+=` on events) is not supported.

namespace System
{
    public abstract class Delegate
    {
        internal object m_target;
        internal IntPtr m_function;
        public object Target { get { return m_target; } }

        public static Delegate Combine(Delegate a, Delegate b)
        {
            if (a == null) return b;
            if (b == null) return a;
            throw new NotSupportedException("Combining delegates (+= on an event or delegate) is not supported by Lightcone's C# translator.");
        }

        public static Delegate Remove(Delegate source, Delegate value)
        {
            if (source == null || value == null) return source;
            return SameTargetAndFunction(source, value) ? null : source;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall)]
        static extern bool SameTargetAndFunction(Delegate a, Delegate b);

        public static bool operator ==(Delegate a, Delegate b)
        {
            if ((object)a == null || (object)b == null) return (object)a == (object)b;
            return SameTargetAndFunction(a, b);
        }

        public static bool operator !=(Delegate a, Delegate b) { return !(a == b); }
        public override bool Equals(object obj) { return obj is Delegate && this == (Delegate)obj; }
        public override int GetHashCode() { return m_target == null ? 0 : m_target.GetHashCode(); }
    }

    public abstract class MulticastDelegate : Delegate { }

    public delegate void Action();
    public delegate void Action<in T>(T obj);
    public delegate void Action<in T1, in T2>(T1 arg1, T2 arg2);
    public delegate void Action<in T1, in T2, in T3>(T1 arg1, T2 arg2, T3 arg3);
    public delegate void Action<in T1, in T2, in T3, in T4>(T1 arg1, T2 arg2, T3 arg3, T4 arg4);
    public delegate TResult Func<out TResult>();
    public delegate TResult Func<in T, out TResult>(T arg);
    public delegate TResult Func<in T1, in T2, out TResult>(T1 arg1, T2 arg2);
    public delegate TResult Func<in T1, in T2, in T3, out TResult>(T1 arg1, T2 arg2, T3 arg3);
    public delegate TResult Func<in T1, in T2, in T3, in T4, out TResult>(T1 arg1, T2 arg2, T3 arg3, T4 arg4);
    public delegate bool Predicate<in T>(T obj);
    public delegate int Comparison<in T>(T x, T y);
}
