namespace KDsl.Image
{
    /// <summary>
    /// One named run of an experiment: `scenario NAME { config { ... } expect { ... } }`, or the file's top-level
    /// config and expect (<see cref="DefaultName"/>). Each scenario has its own image, compiled with its settings and
    /// constants (the profile decides the code shape, a constant such as BUF the frame size).
    /// </summary>
    public sealed class Scenario
    {
        /// <summary>The name of the top-level config and expect.</summary>
        public const string DefaultName = "default";

        /// <summary>The scenario <paramref name="name"/>, declared at <paramref name="line"/>, compiled to <paramref name="image"/>.</summary>
        public Scenario(string name, int line, ModuleImage image)
        {
            Name = name;
            Line = line;
            Image = image;
        }

        /// <summary>The scenario's name: an identifier, or "default" for the top level.</summary>
        public string Name { get; }
        /// <summary>1-based .kdsl line of `scenario NAME` (of the top-level expect block, or 0, for the default).</summary>
        public int Line { get; }
        /// <summary>The module compiled for this scenario; its Config and Expectations are the scenario's.</summary>
        public ModuleImage Image { get; }
        /// <summary>Whether this is the top-level config and expect.</summary>
        public bool IsDefault => Name == DefaultName;
        /// <summary>A scenario is a test when it states at least one expectation.</summary>
        public bool HasExpectations => Image.Expectations.Count > 0;

        /// <summary>The scenario's name.</summary>
        public override string ToString() => Name;
    }
}
