// A module runs on one thread: System.Threading.Thread is not in the corlib.
using System;
using System.Threading;

static class Program
{
    static void Main()
    {
        var worker = new Thread(() => Console.WriteLine("in a thread"));
        worker.Start();
    }
}
