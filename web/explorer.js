// orthanc-ecg: an "ECG" button on Orthanc Explorer's patient, study, series and instance pages
// (added through OrthancPluginExtendOrthancExplorer). It opens the clinician's page in a new tab
// with Orthanc IDs only: a patient or a study opens the patient's course, a series its first
// instance, an instance that ECG. Relative URLs keep a reverse proxy's prefix.
(function () {
  var APP = '../ecg/app/index.html';
  function open(query) { window.open(APP + '?' + query, '_blank', 'noopener'); }
  function go(level, uuid) {
    if (level === 'patient') return open('patient=' + uuid);
    if (level === 'instance') return open('ecg=' + uuid);
    if (level === 'study') {
      return $.ajax({ url: '../studies/' + uuid, dataType: 'json', cache: false,
        success: function (s) { open('patient=' + s.ParentPatient); } });
    }
    $.ajax({ url: '../series/' + uuid, dataType: 'json', cache: false,
      success: function (s) { if (s.Instances && s.Instances.length) open('ecg=' + s.Instances[0]); } });
  }
  ['patient', 'study', 'series', 'instance'].forEach(function (level) {
    $('#' + level).live('pagebeforecreate', function () {
      var button = $('<a>').attr('data-role', 'button').attr('href', '#').attr('data-icon', 'grid')
        .attr('data-theme', 'e').attr('id', 'ecg-button-' + level).text('ECG');
      button.insertBefore($('#' + level + '-delete').parent().parent());
      button.click(function (e) {
        e.preventDefault();
        if ($.mobile.pageData) go(level, $.mobile.pageData.uuid);
      });
    });
  });
})();
