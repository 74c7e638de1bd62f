// The attributes the C# compiler needs to find in a corlib, and the common ones modules use.

namespace System
{
    public abstract class Attribute { }

    [Flags]
    public enum AttributeTargets
    {
        Assembly = 1, Module = 2, Class = 4, Struct = 8, Enum = 16, Constructor = 32, Method = 64,
        Property = 128, Field = 256, Event = 512, Interface = 1024, Parameter = 2048,
        Delegate = 4096, ReturnValue = 8192, GenericParameter = 16384, All = 32767,
    }

    [AttributeUsage(AttributeTargets.Class, Inherited = true)]
    public sealed class AttributeUsageAttribute : Attribute
    {
        public AttributeUsageAttribute(AttributeTargets validOn) { ValidOn = validOn; }
        public AttributeTargets ValidOn { get; private set; }
        public bool AllowMultiple { get; set; }
        public bool Inherited { get; set; }
    }

    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class FlagsAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class ParamArrayAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class SerializableAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class NonSerializedAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class CLSCompliantAttribute : Attribute { public CLSCompliantAttribute(bool isCompliant) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class ThreadStaticAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class ObsoleteAttribute : Attribute
    {
        public ObsoleteAttribute() { }
        public ObsoleteAttribute(string message) { }
        public ObsoleteAttribute(string message, bool error) { }
    }
}

namespace System.Reflection
{
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class DefaultMemberAttribute : Attribute { public DefaultMemberAttribute(string memberName) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class AssemblyVersionAttribute : Attribute { public AssemblyVersionAttribute(string version) { } }
}

namespace System.Diagnostics
{
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class DebuggableAttribute : Attribute
    {
        [Flags]
        public enum DebuggingModes { None = 0, Default = 1, IgnoreSymbolStoreSequencePoints = 2, EnableEditAndContinue = 4, DisableOptimizations = 256 }
        public DebuggableAttribute(DebuggingModes modes) { }
        public DebuggableAttribute(bool isJITTrackingEnabled, bool isJITOptimizerDisabled) { }
    }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class ConditionalAttribute : Attribute { public ConditionalAttribute(string conditionString) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class DebuggerHiddenAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class DebuggerStepThroughAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class DebuggerBrowsableAttribute : Attribute { public DebuggerBrowsableAttribute(DebuggerBrowsableState state) { } }
    public enum DebuggerBrowsableState { Never = 0, Collapsed = 2, RootHidden = 3 }
}

namespace System.Runtime.CompilerServices
{
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class CompilerGeneratedAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class ExtensionAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class IsReadOnlyAttribute : Attribute { }
    public sealed class IsVolatile { }
    public sealed class IsConst { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class FixedBufferAttribute : Attribute { public FixedBufferAttribute(Type elementType, int length) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class UnsafeValueTypeAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class DecimalConstantAttribute : Attribute { public DecimalConstantAttribute(byte scale, byte sign, uint hi, uint mid, uint low) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class RuntimeCompatibilityAttribute : Attribute { public bool WrapNonExceptionThrows { get; set; } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class CompilationRelaxationsAttribute : Attribute { public CompilationRelaxationsAttribute(int relaxations) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class IteratorStateMachineAttribute : Attribute { public IteratorStateMachineAttribute(Type stateMachineType) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class AsyncStateMachineAttribute : Attribute { public AsyncStateMachineAttribute(Type stateMachineType) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class IndexerNameAttribute : Attribute { public IndexerNameAttribute(string indexerName) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class TupleElementNamesAttribute : Attribute { public TupleElementNamesAttribute(string[] transformNames) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class InternalsVisibleToAttribute : Attribute { public InternalsVisibleToAttribute(string assemblyName) { } }
    [AttributeUsage(AttributeTargets.Constructor | AttributeTargets.Method, Inherited = false)]
    public sealed class MethodImplAttribute : Attribute
    {
        public MethodCodeType MethodCodeType;
        public MethodImplAttribute() { }
        public MethodImplAttribute(MethodImplOptions methodImplOptions) { Value = methodImplOptions; }
        public MethodImplAttribute(short value) { Value = (MethodImplOptions)value; }
        public MethodImplOptions Value { get; private set; }
    }
    public enum MethodCodeType { IL = 0, Native = 1, OPTIL = 2, Runtime = 3 }
    [Flags]
    public enum MethodImplOptions { NoInlining = 8, ForwardRef = 16, InternalCall = 4096, NoOptimization = 64, PreserveSig = 128, AggressiveInlining = 256, Synchronized = 32, Unmanaged = 4 }
}

namespace System.Runtime.InteropServices
{
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class OutAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class InAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class OptionalAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class StructLayoutAttribute : Attribute
    {
        public StructLayoutAttribute(LayoutKind layoutKind) { }
        public int Pack;
        public int Size;
        public CharSet CharSet;
    }
    public enum LayoutKind { Sequential = 0, Explicit = 2, Auto = 3 }
    public enum CharSet { None = 1, Ansi = 2, Unicode = 3, Auto = 4 }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class FieldOffsetAttribute : Attribute { public FieldOffsetAttribute(int offset) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class ComVisibleAttribute : Attribute { public ComVisibleAttribute(bool visibility) { } }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class GuidAttribute : Attribute { public GuidAttribute(string guid) { } }
}

namespace System.Security
{
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class UnverifiableCodeAttribute : Attribute { }
}

namespace System.Security.Permissions
{
    public enum SecurityAction { RequestMinimum = 8 }
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class SecurityPermissionAttribute : Attribute
    {
        public SecurityPermissionAttribute(SecurityAction action) { }
        public bool SkipVerification { get; set; }
    }
}
