// Per-thread CPU time of a running process, with each thread's nice value, read from Linux's
// /proc/<pid>/task/<tid>/stat: which threads of Orthanc did the work, and at what priority
// (nice value and scheduling policy).
//
// ReadThreadCpu(pid) returns one ThreadCpu per thread alive at that moment (empty when the process
// is gone). CpuSince(before, after) gives each thread's ticks between two readings (a thread
// started in between counts from zero; one that ended in between is lost, with its ticks).
// Units: clock ticks (sysconf(_SC_CLK_TCK), 100 per second on Linux), user + system time.
// ProcessTreeTicks(root) adds the CPU of a server made of processes (PostgreSQL's postmaster and
// its backends): the root's own ticks, those of the children it has reaped, and those of its
// live children.
// Header-only (tests and bench/*_bench.cc). No errors: unreadable entries are skipped (threads
// end). Thread safety: plain functions over their arguments.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace ecg::testing {

struct ThreadCpu {
  std::string name;  // the thread's comm
  int nice = 0;
  int policy = 0;     // the scheduling policy (SCHED_OTHER, SCHED_IDLE, ...)
  int64_t ticks = 0;  // user + system
};

// tid -> its reading.
using ThreadCpuMap = std::map<pid_t, ThreadCpu>;

// A /proc/<pid>[/task/<tid>]/stat line: the command name and the fields after it, fields[0]
// being field 3 (state) of proc(5).
struct StatLine {
  std::string name;
  std::vector<std::string> fields;
};

inline std::optional<StatLine> ReadStat(const std::filesystem::path& stat_path) {
  std::ifstream in(stat_path);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // "pid (comm) state ..." where comm may hold spaces and parentheses: split at the last ')'.
  const size_t open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  StatLine stat{line.substr(open + 1, close - open - 1), {}};
  std::istringstream fields(line.substr(close + 2));
  for (std::string field; fields >> field;) stat.fields.push_back(field);
  return stat;
}

inline std::optional<ThreadCpu> ReadOneThread(const std::filesystem::path& stat_path) {
  const std::optional<StatLine> stat = ReadStat(stat_path);
  if (!stat || stat->fields.size() < 39) return std::nullopt;
  const std::vector<std::string>& f = stat->fields;
  ThreadCpu cpu;
  cpu.name = stat->name;
  cpu.ticks = std::stoll(f[11]) + std::stoll(f[12]);  // utime (14), stime (15)
  cpu.nice = std::stoi(f[16]);                        // nice (19)
  cpu.policy = std::stoi(f[38]);                      // policy (41)
  return cpu;
}

inline ThreadCpuMap ReadThreadCpu(pid_t pid) {
  ThreadCpuMap threads;
  std::error_code error;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& entry : std::filesystem::directory_iterator(tasks, error)) {
    const std::optional<ThreadCpu> cpu = ReadOneThread(entry.path() / "stat");
    if (cpu) threads[static_cast<pid_t>(std::stol(entry.path().filename()))] = *cpu;
  }
  return threads;
}

inline ThreadCpuMap CpuSince(const ThreadCpuMap& before, const ThreadCpuMap& after) {
  ThreadCpuMap spent;
  for (const auto& [tid, now] : after) {
    const auto earlier = before.find(tid);
    ThreadCpu delta = now;
    if (earlier != before.end()) delta.ticks -= earlier->second.ticks;
    if (delta.ticks > 0) spent[tid] = delta;
  }
  return spent;
}

// utime + stime of /proc/<pid>/stat (+ cutime + cstime: its reaped children), and its parent.
inline int64_t ProcessTicks(const std::string& pid, bool with_reaped_children,
                            std::string* parent) {
  const std::optional<StatLine> stat = ReadStat("/proc/" + pid + "/stat");
  if (!stat || stat->fields.size() < 15) return 0;
  const std::vector<std::string>& f = stat->fields;
  if (parent) *parent = f[1];                             // ppid (4)
  int64_t ticks = std::stoll(f[11]) + std::stoll(f[12]);  // utime (14), stime (15)
  if (with_reaped_children) ticks += std::stoll(f[13]) + std::stoll(f[14]);  // cutime, cstime
  return ticks;
}

inline int64_t ProcessTreeTicks(pid_t root) {
  const std::string root_pid = std::to_string(root);
  int64_t ticks = ProcessTicks(root_pid, true, nullptr);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string parent;
    const int64_t own = ProcessTicks(pid, false, &parent);
    if (parent == root_pid) ticks += own;
  }
  return ticks;
}

// The process whose command line holds `needle` (e.g. a configuration file's path), if any.
inline std::optional<pid_t> FindProcess(const std::string& needle) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    const std::string cmdline((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (cmdline.find(needle) != std::string::npos) return static_cast<pid_t>(std::stol(name));
  }
  return std::nullopt;
}

}  // namespace ecg::testing
