// Background priority for the plugin's own threads (ingest workers, the embedder, training
// supervision), so that Orthanc's threads win the cores during a burst and the plugin catches up
// after it. Linux keeps a nice value per thread: LowerCurrentThreadPriority() sets the calling
// thread's to `nice` (19 = the lowest priority; CFS then gives it about 1.5% of a core that a
// nice-0 thread also wants, and all of an idle core). Threads it starts inherit the value.
// Returns false (and logs once why) when the system refuses; the thread then simply runs at its
// old priority. RunCurrentThreadOnlyWhenIdle() goes further, for work that must yield even to the
// nice-19 threads (the embedder beside the ingest workers): Linux's SCHED_IDLE policy, below every
// nice value (a weight of 3 against 15 for nice 19 and 1024 for nice 0); false (logged) when
// refused. Thread-safe.
#pragma once

namespace ecg::plugin {

bool LowerCurrentThreadPriority(int nice = 19);
bool RunCurrentThreadOnlyWhenIdle();

}  // namespace ecg::plugin
