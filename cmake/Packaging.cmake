# The Debian package (cpack -G DEB, scripts/test-package.sh), laid out like Orthanc's own
# plugins in Debian:
#   /usr/share/orthanc/plugins/libOrthancEcg.so   Debian's Orthanc loads every library there
#   /usr/bin/orthanc-ecg                          the command line (worker, db migrate, ...)
#   /etc/orthanc/ecg.json                         the "Ecg" section, disabled until a connection
#                                                 URI is set (a conffile: kept on upgrades)
#   /usr/share/orthanc-ecg/config/*.json          training configurations
#   /usr/share/doc/orthanc-ecg/                   admin.md, scaling.md and the migrations sql/
#                                                 (for reading: both binaries embed them and
#                                                 apply them themselves, cmake/EmbedSql.cmake)
# Depends: what dpkg-shlibdeps finds for the binaries' libraries, plus Orthanc itself.
# `install` does not build `all` first (CMAKE_SKIP_INSTALL_ALL_DEPENDENCY): the package needs only
# the two targets, which scripts/build.sh has built.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS OrthancEcg LIBRARY DESTINATION share/orthanc/plugins COMPONENT runtime)
install(TARGETS orthanc-ecg RUNTIME DESTINATION bin COMPONENT runtime)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/ecg.json DESTINATION /etc/orthanc
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ COMPONENT runtime)
file(GLOB PACKAGED_CONFIGS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/config/*.json)
install(FILES ${PACKAGED_CONFIGS} DESTINATION share/orthanc-ecg/config COMPONENT runtime)
install(FILES ${CMAKE_SOURCE_DIR}/docs/admin.md ${CMAKE_SOURCE_DIR}/docs/scaling.md
        DESTINATION share/doc/orthanc-ecg COMPONENT runtime)
install(FILES ${SQL_MIGRATIONS} DESTINATION share/doc/orthanc-ecg/sql COMPONENT runtime)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME orthanc-ecg)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "orthanc-ecg maintainers <orthanc-ecg@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Orthanc plugin: a searchable, longitudinal PostgreSQL store of DICOM ECGs")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)  # RelWithDebInfo builds: the debug info would triple the package
set(CPACK_DEBIAN_PACKAGE_DEPENDS "orthanc (>= 1.10.1)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql (>= 15)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/packaging/conffiles
    ${CMAKE_SOURCE_DIR}/packaging/postinst ${CMAKE_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Every DICOM ECG that reaches Orthanc is decoded into a patient-indexed PostgreSQL store,\n\
embedded by a self-supervised model trained nightly, and searchable by similarity under\n\
/ecg/*. Configuration: /etc/orthanc/ecg.json (disabled until a connection URI is set).")
include(CPack)
