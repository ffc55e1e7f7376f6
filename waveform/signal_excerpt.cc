#include "waveform/signal_excerpt.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "waveform/error.h"
#include "waveform/resample.h"

namespace ecg {
namespace {

void Validate(const ExcerptRequest& r) {
  if (!std::isfinite(r.duration_ms) || r.duration_ms <= 0) {
    throw Error::InvalidArgument("excerpt: duration must be a positive number of ms, got " +
                                 std::to_string(r.duration_ms));
  }
  if (!std::isfinite(r.rate_hz) || r.rate_hz < 0) {
    throw Error::InvalidArgument("excerpt: rate must be a positive number of Hz, got " +
                                 std::to_string(r.rate_hz));
  }
}

}  // namespace

EcgSignal SignalExcerpt(const EcgSignal& signal, const ExcerptRequest& request) {
  Validate(request);
  const double in_rate_hz = signal.sample_rate_hz();
  const size_t n =
      std::min(signal.samples_per_lead(),
               static_cast<size_t>(std::llround(request.duration_ms * in_rate_hz / 1000.0)));
  const double out_rate_hz =
      request.rate_hz > 0 && request.rate_hz < in_rate_hz ? request.rate_hz : in_rate_hz;
  const Resampler resampler(in_rate_hz, out_rate_hz);
  EcgSignal excerpt(out_rate_hz, resampler.OutputLength(n));
  std::vector<Lead> leads = request.leads;
  if (leads.empty()) leads.assign(AllLeads().begin(), AllLeads().end());
  if (request.first_held_only) {
    auto held = std::find_if(leads.begin(), leads.end(),
                             [&](Lead l) { return signal.status(l) != LeadStatus::kMissing; });
    leads = {held == leads.end() ? leads.front() : *held};
  }
  for (Lead lead : leads) {
    excerpt.set_status(lead, signal.status(lead));
    if (signal.status(lead) == LeadStatus::kMissing || n == 0) continue;
    resampler.Process(signal.lead_uV(lead), n, excerpt.lead_uV(lead));
  }
  return excerpt;
}

}  // namespace ecg
