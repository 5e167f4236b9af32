// An empty program: what starting the runtime alone costs (cold start, for scale).
static class Empty
{
    static int Main() { return 0; }
}
