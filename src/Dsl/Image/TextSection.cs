namespace KDsl.Image
{
    /// <summary>The section GCC puts a module function's code in.</summary>
    public enum TextSection
    {
        /// <summary>.text: the module's ordinary code, each function aligned to 16 bytes.</summary>
        Text,
        /// <summary>.text.unlikely: code GCC expects never to run, packed without alignment (it is optimised for size).</summary>
        Unlikely,
        /// <summary>.init.text (__init), freed after the init returns.</summary>
        Init,
        /// <summary>.exit.text (__exit).</summary>
        Exit,
    }
}
