// The few UnityEngine and UnityEditor types the package's glue uses, so the glue compiles with
// mcs in the test run (server/tests/unity_layout.rs). Test-only; never shipped. Signatures
// follow Unity's; bodies do the least that lets a test drive them.
using System;
using System.Collections.Generic;

namespace UnityEngine
{
    public class Object
    {
        public static void Destroy(Object o) { }
        public static void DontDestroyOnLoad(Object o) { }
        public static T Instantiate<T>(T original) where T : Object { return original; }
    }
    public class Component : Object
    {
        public GameObject gameObject { get { return null; } }
        public Transform transform { get { return null; } }
        public T GetComponent<T>() { return default(T); }
    }
    public class Behaviour : Component { }
    public class MonoBehaviour : Behaviour { }
    public class GameObject : Object
    {
        public Transform transform { get { return null; } }
        public T GetComponent<T>() { return default(T); }
        public void SetActive(bool value) { }
    }
    public class Transform : Component
    {
        public Vector3 position { get; set; }
        public Vector3 localScale { get; set; }
    }
    public class Renderer : Component { }
    public sealed class SpriteRenderer : Renderer { public Color color { get; set; } }
    public sealed class Camera : Behaviour { public static Camera main { get { return null; } } }

    public struct Vector3
    {
        public float x, y, z;
        public Vector3(float x, float y, float z) { this.x = x; this.y = y; this.z = z; }
        public static Vector3 operator -(Vector3 a, Vector3 b) { return new Vector3(a.x - b.x, a.y - b.y, a.z - b.z); }
    }
    public struct Color
    {
        public float r, g, b, a;
        public Color(float r, float g, float b, float a) { this.r = r; this.g = g; this.b = b; this.a = a; }
    }

    public enum KeyCode { None = 0, Space = 32, R = 114 }
    public static class Input
    {
        public static Vector3 mousePosition { get { return default(Vector3); } }
        public static bool GetKeyDown(KeyCode key) { return false; }
    }
    public static class Screen
    {
        public static int width { get { return 1920; } }
        public static int height { get { return 1080; } }
    }
    public static class Time
    {
        public static double realtimeSinceStartupAsDouble { get { return 0; } }
    }

    public static class Debug
    {
        public static readonly List<string> Lines = new List<string>();
        public static void Log(object m) { Lines.Add("log: " + m); }
        public static void LogWarning(object m) { Lines.Add("warning: " + m); }
        public static void LogError(object m) { Lines.Add("error: " + m); }
        public static void LogException(Exception e) { Lines.Add("exception: " + e.Message); }
    }

    public static class PlayerPrefs
    {
        static readonly Dictionary<string, string> values = new Dictionary<string, string>();
        public static bool HasKey(string k) { return values.ContainsKey(k); }
        public static string GetString(string k) { string v; return values.TryGetValue(k, out v) ? v : ""; }
        public static void SetString(string k, string v) { values[k] = v; }
        public static void Save() { }
    }

    public static class Application
    {
        public static void OpenURL(string url) { }
    }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class SerializeField : Attribute { }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class TooltipAttribute : Attribute { public TooltipAttribute(string tooltip) { } }

    [AttributeUsage(AttributeTargets.Class)]
    public sealed class DisallowMultipleComponent : Attribute { }

    public enum RuntimeInitializeLoadType { AfterSceneLoad, BeforeSceneLoad, AfterAssembliesLoaded, BeforeSplashScreen, SubsystemRegistration }

    [AttributeUsage(AttributeTargets.Method)]
    public sealed class RuntimeInitializeOnLoadMethodAttribute : Attribute
    {
        public RuntimeInitializeOnLoadMethodAttribute() { }
        public RuntimeInitializeOnLoadMethodAttribute(RuntimeInitializeLoadType loadType) { }
    }
}

namespace UnityEditor
{
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class MenuItem : Attribute { public MenuItem(string itemName) { } }
}
