namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// CONFIG_DEBUG_STACK_USAGE's question, answered exactly: how many bytes of the task stack the run used at its
    /// deepest. The CPU records the lowest RSP any push, call or sub rsp produced; the kernel turns it into bytes
    /// below the stack top. A run that went below the stack's base reports more than THREAD_SIZE.
    /// </summary>
    public static class StackUsage
    {
        public static int HighWaterMark(TaskStruct task, ulong lowestRsp)
        {
            if (lowestRsp == ulong.MaxValue || lowestRsp >= task.StackTop) return 0;
            ulong used = task.StackTop - lowestRsp;
            return used > int.MaxValue ? int.MaxValue : (int)used;
        }
    }
}
