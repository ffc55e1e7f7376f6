#include "waveform/uid.h"

#include "waveform/random.h"

namespace ecg {

std::string DerivedUid(uint64_t namespace_key, uint64_t key, uint64_t kind) {
  unsigned __int128 value = DeriveSeed(namespace_key, key, kind);
  value = (value << 64) | DeriveSeed(namespace_key ^ 0x5EEDull, key, kind);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  return "2.25." + digits;
}

}  // namespace ecg
