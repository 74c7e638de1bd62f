// The exception types translated code and the runtime throw. A `throw` that leaves a reducer
// fails the call with the exception's message and rolls its transaction back.

namespace System
{
    public class Exception
    {
        string message;
        Exception inner;

        public Exception() { }
        public Exception(string message) { this.message = message; }
        public Exception(string message, Exception innerException) { this.message = message; inner = innerException; }

        public virtual string Message { get { return message ?? DefaultMessage(); } }
        public Exception InnerException { get { return inner; } }
        public virtual string StackTrace { get { return null; } }

        /// What the CLR says when no message was given.
        internal virtual string DefaultMessage() { return string.Concat("Exception of type '", TypeName(), "' was thrown."); }

        internal string TypeName() { return base.ToString(); }

        public override string ToString()
        {
            string s = string.Concat(TypeName(), ": ", Message);
            if (inner != null) s = string.Concat(s, " ---> ", inner.ToString());
            return s;
        }
    }

    public class SystemException : Exception
    {
        public SystemException() { }
        public SystemException(string message) : base(message) { }
        public SystemException(string message, Exception inner) : base(message, inner) { }
    }

    public class ApplicationException : Exception
    {
        public ApplicationException() { }
        public ApplicationException(string message) : base(message) { }
    }

    public class ArgumentException : SystemException
    {
        string paramName;
        public ArgumentException() { }
        public ArgumentException(string message) : base(message) { }
        public ArgumentException(string message, string paramName) : base(message) { this.paramName = paramName; }
        public ArgumentException(string message, Exception inner) : base(message, inner) { }
        public virtual string ParamName { get { return paramName; } }
        internal override string DefaultMessage() { return "Value does not fall within the expected range."; }
        public override string Message
        {
            get { return paramName == null ? base.Message : string.Concat(base.Message, "\nParameter name: ", paramName); }
        }
    }

    public class ArgumentNullException : ArgumentException
    {
        public ArgumentNullException() { }
        public ArgumentNullException(string paramName) : base("Value cannot be null.", paramName) { }
        public ArgumentNullException(string paramName, string message) : base(message, paramName) { }
    }

    public class ArgumentOutOfRangeException : ArgumentException
    {
        public ArgumentOutOfRangeException() { }
        public ArgumentOutOfRangeException(string paramName) : base("Specified argument was out of the range of valid values.", paramName) { }
        public ArgumentOutOfRangeException(string paramName, string message) : base(message, paramName) { }
    }

    public class InvalidOperationException : SystemException
    {
        public InvalidOperationException() { }
        public InvalidOperationException(string message) : base(message) { }
        public InvalidOperationException(string message, Exception inner) : base(message, inner) { }
        internal override string DefaultMessage() { return "Operation is not valid due to the current state of the object."; }
    }

    public class NotSupportedException : SystemException
    {
        public NotSupportedException() { }
        public NotSupportedException(string message) : base(message) { }
        internal override string DefaultMessage() { return "Specified method is not supported."; }
    }

    public class NotImplementedException : SystemException
    {
        public NotImplementedException() { }
        public NotImplementedException(string message) : base(message) { }
        internal override string DefaultMessage() { return "The method or operation is not implemented."; }
    }

    public class NullReferenceException : SystemException
    {
        public NullReferenceException() { }
        public NullReferenceException(string message) : base(message) { }
        internal override string DefaultMessage() { return "Object reference not set to an instance of an object"; }
    }

    public class IndexOutOfRangeException : SystemException
    {
        public IndexOutOfRangeException() { }
        public IndexOutOfRangeException(string message) : base(message) { }
        internal override string DefaultMessage() { return "Index was outside the bounds of the array."; }
    }

    public class InvalidCastException : SystemException
    {
        public InvalidCastException() { }
        public InvalidCastException(string message) : base(message) { }
        internal override string DefaultMessage() { return "Specified cast is not valid."; }
    }

    public class ArithmeticException : SystemException
    {
        public ArithmeticException() { }
        public ArithmeticException(string message) : base(message) { }
        internal override string DefaultMessage() { return "Overflow or underflow in the arithmetic operation."; }
    }

    public class DivideByZeroException : ArithmeticException
    {
        public DivideByZeroException() { }
        public DivideByZeroException(string message) : base(message) { }
        internal override string DefaultMessage() { return "Attempted to divide by zero."; }
    }

    public class OverflowException : ArithmeticException
    {
        public OverflowException() { }
        public OverflowException(string message) : base(message) { }
        internal override string DefaultMessage() { return "Arithmetic operation resulted in an overflow."; }
    }

    public class FormatException : SystemException
    {
        public FormatException() { }
        public FormatException(string message) : base(message) { }
        internal override string DefaultMessage() { return "One of the identified items was in an invalid format."; }
    }

    public class OutOfMemoryException : SystemException
    {
        public OutOfMemoryException() { }
        public OutOfMemoryException(string message) : base(message) { }
    }

    public class ArrayTypeMismatchException : SystemException
    {
        public ArrayTypeMismatchException() { }
    }
}

namespace System.Collections.Generic
{
    public class KeyNotFoundException : SystemException
    {
        public KeyNotFoundException() { }
        public KeyNotFoundException(string message) : base(message) { }
        internal override string DefaultMessage() { return "The given key was not present in the dictionary."; }
    }
}
