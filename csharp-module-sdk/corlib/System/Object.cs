// The root of the type system. Compiled with `mcs -nostdlib` into the corlib that modules
// are translated against (csharp-module-sdk/README.md); `InternalCall` methods are provided
// by the C runtime (runtime/lc_runtime.c), everything else is translated like user code.
using System.Runtime.CompilerServices;

namespace System
{
    public class Object
    {
        public Object() { }

        /// The type's full name, as the CLR prints an object without its own ToString.
        [MethodImpl(MethodImplOptions.InternalCall)]
        public extern virtual string ToString();

        public virtual bool Equals(object obj) { return RuntimeHelpers.ReferenceEquals(this, obj); }

        public virtual int GetHashCode() { return RuntimeHelpers.GetHashCode(this); }

        public static bool Equals(object a, object b)
        {
            if (RuntimeHelpers.ReferenceEquals(a, b)) return true;
            if (a == null || b == null) return false;
            return a.Equals(b);
        }

        public static bool ReferenceEquals(object a, object b) { return RuntimeHelpers.ReferenceEquals(a, b); }

        ~Object() { }
    }

    public abstract class ValueType
    {
        /// Field-by-field equality of the two values' bytes (the CLR compares fields; for
        /// structs holding references this compares the references).
        [MethodImpl(MethodImplOptions.InternalCall)]
        public extern override bool Equals(object obj);

        [MethodImpl(MethodImplOptions.InternalCall)]
        public extern override int GetHashCode();
    }

    public abstract class Enum : ValueType
    {
        /// The constant's name, or its number when no constant has this value.
        [MethodImpl(MethodImplOptions.InternalCall)]
        public extern override string ToString();
    }

    public struct Void { }

    public abstract class Type { }
    public struct RuntimeTypeHandle { }
    public struct RuntimeFieldHandle { }
    public struct RuntimeMethodHandle { }
    public struct RuntimeArgumentHandle { }
    public struct TypedReference { }

    public interface IDisposable { void Dispose(); }
    public interface ICloneable { object Clone(); }
    public interface IComparable { int CompareTo(object obj); }
    public interface IComparable<T> { int CompareTo(T other); }
    public interface IEquatable<T> { bool Equals(T other); }
    public interface IFormattable { string ToString(string format, IFormatProvider provider); }
    public interface IFormatProvider { }

    public struct Nullable<T> where T : struct
    {
        private readonly bool hasValue;
        internal T value;

        public Nullable(T value) { this.value = value; hasValue = true; }
        public bool HasValue { get { return hasValue; } }
        public T Value
        {
            get
            {
                if (!hasValue) throw new InvalidOperationException("Nullable object must have a value.");
                return value;
            }
        }
        public T GetValueOrDefault() { return value; }
        public T GetValueOrDefault(T defaultValue) { return hasValue ? value : defaultValue; }
        public override bool Equals(object other)
        {
            if (!hasValue) return other == null;
            if (other == null) return false;
            return value.Equals(other);
        }
        public override int GetHashCode() { return hasValue ? value.GetHashCode() : 0; }
        public override string ToString() { return hasValue ? value.ToString() : ""; }
        public static implicit operator T?(T value) { return new T?(value); }
        public static explicit operator T(T? value) { return value.Value; }
    }
}

namespace System.Runtime.CompilerServices
{
    public static class RuntimeHelpers
    {
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static new extern bool ReferenceEquals(object a, object b);

        /// An identity hash (the object's address, mixed).
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int GetHashCode(object o);

        /// Fails the call (as a store the translator checks does) if `value`, made during the
        /// call, would be kept by `target`, which lives for ever.
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void CheckStore(object target, object value);

        public static void InitializeArray(Array array, RuntimeFieldHandle field) { InternalInitializeArray(array, field); }

        [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void InternalInitializeArray(Array array, RuntimeFieldHandle field);

        public static int OffsetToStringData { get { return 0; } }
    }
}
