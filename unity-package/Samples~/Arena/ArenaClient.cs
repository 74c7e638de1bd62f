// The arena sample's Unity glue (docs/arena.md in the Lightcone repository). Put it on the
// GameObject that has a LightconeNetworkManager (database "arena"), give it a circle prefab
// (a GameObject with a SpriteRenderer and a white circle sprite of diameter 1) and, after
// generating the module's code (see ArenaGame.cs), press Play:
// - the mouse is the stick (from the screen's centre; the main camera follows your pieces),
// - Space splits, R respawns once you have been eaten.
// Circles are pooled GameObjects placed every frame from ArenaGame's interpolated positions
// (arena units are world units); the game logic is all in ArenaGame.
using System.Collections.Generic;
using Lightcone.Module;
using Lightcone.Unity;
using UnityEngine;

public class ArenaClient : MonoBehaviour
{
    [SerializeField] string playerName = "unity-player";
    [SerializeField] GameObject circlePrefab;
    [SerializeField] Color mine = new Color(0.2f, 0.8f, 1f, 1f);
    [SerializeField] Color others = new Color(1f, 0.35f, 0.3f, 1f);
    [SerializeField] Color food = new Color(0.6f, 0.85f, 0.5f, 1f);
    [Tooltip("Screen pixels from the centre at which the stick is fully pushed.")]
    [SerializeField] float fullStickPixels = 200f;

    DbConnection db;
    ArenaGame game;
    readonly List<ArenaBody> bodies = new List<ArenaBody>();
    readonly Dictionary<uint, GameObject> shown = new Dictionary<uint, GameObject>();
    readonly HashSet<uint> seen = new HashSet<uint>();
    readonly List<uint> gone = new List<uint>();
    readonly Stack<GameObject> pool = new Stack<GameObject>();

    void Start()
    {
        var manager = GetComponent<LightconeNetworkManager>();
        manager.Connect(b => (db = new DbConnection(b)).Connection);
        game = new ArenaGame(db, playerName, () => Time.realtimeSinceStartupAsDouble);
        game.OnKill += k => Debug.Log("player " + k.KillerId + " ate player " + k.VictimId + " (" + k.Mass + ")");
    }

    void Update()
    {
        if (game == null) return;
        game.Update();
        var fromCentre = Input.mousePosition - new Vector3(Screen.width / 2f, Screen.height / 2f, 0f);
        game.Steer(fromCentre.x / fullStickPixels, fromCentre.y / fullStickPixels);
        if (Input.GetKeyDown(KeyCode.Space)) game.Split();
        if (Input.GetKeyDown(KeyCode.R) && !game.Alive) game.Respawn();
        if (game.LastError != null) Debug.LogWarning(game.LastError);
        Draw();
    }

    void Draw()
    {
        game.Bodies(bodies);
        seen.Clear();
        foreach (var b in bodies)
        {
            GameObject go;
            if (!shown.TryGetValue(b.EntityId, out go))
            {
                go = pool.Count > 0 ? pool.Pop() : Instantiate(circlePrefab);
                go.SetActive(true);
                go.GetComponent<SpriteRenderer>().color = b.Kind == ArenaBodyKind.Mine ? mine : b.Kind == ArenaBodyKind.Other ? others : food;
                shown.Add(b.EntityId, go);
            }
            // Bigger circles drawn over smaller ones.
            go.transform.position = new Vector3(b.X, b.Y, -b.Radius * 0.001f);
            go.transform.localScale = new Vector3(b.Radius * 2f, b.Radius * 2f, 1f);
            seen.Add(b.EntityId);
        }
        gone.Clear();
        foreach (var id in shown.Keys) if (!seen.Contains(id)) gone.Add(id);
        foreach (var id in gone)
        {
            var go = shown[id];
            go.SetActive(false);
            pool.Push(go);
            shown.Remove(id);
        }
        float x, y;
        var cam = Camera.main;
        if (cam != null && game.Focus(out x, out y))
            cam.transform.position = new Vector3(x, y, cam.transform.position.z);
    }
}
